import { defineConfig } from 'vite';

// The app lives in web/; the build goes to dist/app, which standalone mode and the portal
// server serve. `npm run dev -w @faas/portal` proxies the API to `npm start` on port 9080.
const api = process.env.FAAS_GATEWAY ?? 'http://localhost:9080';

export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: '../dist/app', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/auth': api, '/registry': api, '/publisher': api } },
});
