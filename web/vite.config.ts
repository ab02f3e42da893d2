import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** Where `npm start` listens by default; the dev server forwards API and WebSocket traffic there. */
const backend = process.env.SCRIBLE_BACKEND ?? 'http://localhost:3001';

/**
 * The whiteboard is built into `web/dist`; the Scrible server serves `index.html` for `/`
 * and `/r/*` and the hashed files under `/assets/`. Absolute `base` keeps asset URLs valid
 * on deep links such as `/r/<roomId>`.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // tldraw alone is well over the default 500 kB warning; one chunk is fine for a single page app.
    chunkSizeWarningLimit: 5000,
  },
  server: {
    proxy: {
      '/api': backend,
      '/collab': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
