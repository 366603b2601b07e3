import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '@faas/common';
import express, { Router } from 'express';

/** Where `vite build` puts the single-page app (web/ -> dist/app). */
export const PORTAL_APP_DIR = fileURLToPath(new URL('../app', import.meta.url));

// The app loads only its own files and talks only to this origin's API.
const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The portal's static files at the mount point. Vite's hashed assets are cached for good;
 * index.html never, so a new build is picked up at once. Unbuilt: `/` says how to build it.
 */
export function portalRouter(dir = PORTAL_APP_DIR): Router {
  const router = Router();
  if (!existsSync(join(dir, 'index.html'))) {
    router.use((req, _res, next) => {
      next(req.path === '/' ? new NotFoundError('the portal is not built: run npm run build') : undefined);
    });
    return router;
  }
  router.use(
    express.static(dir, {
      index: 'index.html',
      setHeaders(res, path) {
        res.setHeader('content-security-policy', CSP);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
        res.setHeader('cache-control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
