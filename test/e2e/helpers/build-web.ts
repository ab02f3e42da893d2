import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Vitest global setup: the server only serves the whiteboard if `web/dist/index.html`
 * exists when it starts, so build it first unless a build is already there.
 * Set `E2E_REBUILD=1` to force a fresh build after changing `web/`.
 */
export default function buildWeb(): void {
	if (existsSync(`${ROOT}web/dist/index.html`) && process.env.E2E_REBUILD !== '1') return
	execFileSync(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, 'build', '--config', 'web/vite.config.ts'], {
		cwd: ROOT,
		stdio: 'inherit',
	})
}
