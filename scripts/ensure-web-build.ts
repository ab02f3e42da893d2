import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

// `npm start` runs this first: the whiteboard at / needs web/dist, and a fresh clone
// has none. Production images build it in their build stage and ship without vite,
// so a missing vite is not an error: the API and WebSocket still serve.
const index = new URL('../web/dist/index.html', import.meta.url);
if (!existsSync(index)) {
  let hasVite = true;
  try {
    createRequire(import.meta.url).resolve('vite/package.json');
  } catch {
    hasVite = false;
  }
  if (!hasVite) {
    console.log('scrible: web/dist is missing and vite is not installed; serving the API without the whiteboard');
  } else {
    console.log('scrible: building the whiteboard (web/dist) once…');
    const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error('scrible: the whiteboard build failed; serving the API without it');
    }
  }
}
