// Static build: index.html at the root, the worker and the wasm engine bundled as ES modules,
// everything served from the page's own origin.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
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
  worker: { format: 'es' },
  server: { port: 8080, strictPort: false },
  preview: { port: 8080, strictPort: false },
});
