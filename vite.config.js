// Static build: index.html at the root, the worker and the wasm engine bundled as ES modules,
// everything served from the page's own origin.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { FIELDS } from './www/state.js';
import { embedParams, fillControls } from './www/controls.js';

// The Content-Security-Policy, sent as a header by `npm start` / the preview server (a <meta>
// tag does not reach Web Workers); www/public/_headers and nginx.conf carry it for static hosts.
const CSP = readFileSync(new URL('./www/public/csp.txt', import.meta.url), 'utf8').trim();
const headers = { 'Content-Security-Policy': CSP };

export default defineConfig({
  base: './',
  // The settings' controls and the embed's attributes come from the field table (controls.js).
  plugins: [{ name: 'explr-controls', transformIndexHtml: (html) => fillControls(html, FIELDS) }],
  define: { __EXPLR_PARAMS__: JSON.stringify(embedParams(FIELDS)) },
  build: {
    outDir: 'dist',
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 20000,
    rollupOptions: {
      input: { main: 'index.html', embed: 'www/explr-demo.js' },
      output: { entryFileNames: (c) => (c.name === 'embed' ? 'explr-demo.js' : 'assets/[name]-[hash].js') },
    },
  },
  publicDir: 'www/public',
  worker: { format: 'es' },
  server: { port: 8080, strictPort: false, headers },
  preview: { port: 8080, strictPort: false, headers },
});
