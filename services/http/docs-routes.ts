/** /openapi.json and /docs: the generated contract and a Swagger UI page served locally. */
import { Router } from 'express';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HttpError } from './errors.ts';
import { openApiDocument } from './openapi.ts';

/** The Swagger UI files the page loads, from the swagger-ui-dist package (no CDN). */
const SWAGGER_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] as const;

function swaggerDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Permanence API</title>
<link rel="icon" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// A file of its own rather than inline, so the page also works under a strict CSP.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** package.json's version: the version of the contract. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export function docsRoutes(): Router {
  const r = Router();
  const document = openApiDocument(packageVersion());
  const dir = swaggerDir();
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  r.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  r.get('/docs/:file', (req, res, next) => {
    const file = req.params.file;
    if (file === 'init.js') {
      res.type('js').send(INIT);
      return;
    }
    if (!(SWAGGER_FILES as readonly string[]).includes(file)) {
      next(new HttpError(404, 'not found'));
      return;
    }
    res.sendFile(join(dir, file), { maxAge: '1h' });
  });
  return r;
}
