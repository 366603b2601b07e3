import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router, type Response } from 'express';
import { NotFoundError } from '../errors.js';
import type { OpenApiDocument } from './document.js';

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Only the renderer's files the page loads: the package's own demo page (the petstore) is not served. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = Object.freeze({
  'swagger-ui.css': join(swaggerDir, 'swagger-ui.css'),
  'swagger-ui-bundle.js': join(swaggerDir, 'swagger-ui-bundle.js'),
  'favicon-32x32.png': join(swaggerDir, 'favicon-32x32.png'),
});

// Relative URLs: the page works under any prefix (/docs, /auth/docs, behind the gateway).
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FaaS platform API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: new URL('openapi.json', window.location.href).href, dom_id: '#swagger-ui', deepLinking: true });
});
`;

// Everything from this origin: no CDN. Swagger UI sets inline styles and shows data: images.
// No page may frame it (clickjacking).
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const page = (res: Response, type: string, body: string): void => {
  res.set('content-security-policy', CSP).type(type).send(body);
};

/** `/openapi.json` (the document) and `/docs` (Swagger UI, served from node_modules). */
export function openApiRouter(document: OpenApiDocument): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (req, res) => {
    // `/docs/` would make the page's relative URLs point one level too deep.
    if (req.originalUrl.split('?')[0]?.endsWith('/')) return res.redirect(301, '../docs');
    page(res, 'html', PAGE);
  });
  router.get('/docs/:asset', (req, res, next) => {
    if (req.params.asset === 'init.js') return page(res, 'js', INIT);
    const file = Object.hasOwn(DOCS_ASSETS, req.params.asset) ? DOCS_ASSETS[req.params.asset] : undefined;
    if (!file) throw new NotFoundError(`no docs asset ${req.params.asset}`);
    res.sendFile(file, { maxAge: '1d' }, (err) => err && next(err));
  });
  return router;
}
