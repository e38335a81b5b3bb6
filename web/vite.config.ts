import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a running `vigia serve` (VIGIA_API, default 127.0.0.1:8080).
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/api': process.env.VIGIA_API ?? 'http://127.0.0.1:8080',
      '/healthz': process.env.VIGIA_API ?? 'http://127.0.0.1:8080',
    },
  },
});
