import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = path.join(ROOT, 'web');
const BUILT_INDEX = path.join(WEB, 'dist', 'index.html');

/**
 * Vitest global setup: the server only serves the whiteboard if `web/dist/index.html`
 * exists when it starts, so build it first when it is missing or older than any source
 * file under `web/` (testing a stale bundle is a silent way to test the wrong code).
 * `E2E_REBUILD=1` forces a build.
 */
export default function buildWeb(): void {
  if (process.env.E2E_REBUILD !== '1' && isBuildFresh()) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

function isBuildFresh(): boolean {
  if (!existsSync(BUILT_INDEX)) return false;
  const builtAt = statSync(BUILT_INDEX).mtimeMs;
  return newestSourceChange(WEB) <= builtAt;
}

function newestSourceChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceChange(full) : statSync(full).mtimeMs);
  }
  return newest;
}
