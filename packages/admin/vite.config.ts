import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The admin UI: built into dist/ui and served by the admin server (src/server/static-ui.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    // Source maps are left out by default (the server would publish them with the UI); a developer
    // who wants them builds with JOBBY_ADMIN_SOURCEMAP=1.
    sourcemap: process.env.JOBBY_ADMIN_SOURCEMAP === '1',
    chunkSizeWarningLimit: 300,
  },
  server: {
    // Host is kept (changeOrigin false) so the API's same-origin check sees the page's own origin.
    proxy: { '/api': { target: process.env.JOBBY_ADMIN_API ?? 'http://127.0.0.1:4100', changeOrigin: false } },
  },
});
