import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server forwards everything that is not the app to a running `npm start` (PORT 3000).
const backend = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': backend,
      '/config.json': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
