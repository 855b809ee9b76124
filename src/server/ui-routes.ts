import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The UI's static files, read once at startup: a fixed list, so no request path ever reaches the file system. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const dir = fileURLToPath(new URL('../ui/static/', import.meta.url));
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
  assets.set('uPlot.iife.min.js', { type: TYPES['.js'], body: readFileSync(join(uplotDir, 'uPlot.iife.min.js')) });
  assets.set('uPlot.min.css', { type: TYPES['.css'], body: readFileSync(join(uplotDir, 'uPlot.min.css')) });
  return assets;
}

/** Page routes and the HTML shell each serves; the page's script fetches its data from the API. */
const PAGES: Array<[string, string]> = [
  ['/', 'board.html'],
  ['/events', 'events.html'],
  ['/events/:id', 'event.html'],
  ['/builds', 'history.html'],
  ['/builds/:id', 'build.html'],
  ['/history', 'history.html'],
];

/** Serves the web UI: pages, `/login`, and `/static/*` (the UI's own files plus uPlot). */
export function registerUiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const assets = loadAssets();
  const html = (name: string): Buffer => {
    const a = assets.get(name);
    if (!a) throw new Error(`UI asset ${name} missing from src/ui/static`);
    return a.body;
  };
  const needsLogin = (req: FastifyRequest): boolean => ctx.auth.requireLoginForRead && ctx.auth.principalOf(req) === null;

  for (const [route, file] of PAGES) {
    const body = html(file);
    app.get(route, async (req, reply) => {
      // Pages redirect to the login form rather than showing a JSON 401.
      if (needsLogin(req)) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      return reply.type(TYPES['.html']).header('cache-control', 'no-cache').send(body);
    });
  }
  const login = html('login.html');
  app.get('/login', async (_req, reply) => reply.type(TYPES['.html']).header('cache-control', 'no-cache').send(login));

  app.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => {
    const a = assets.get(req.params.file);
    if (!a || a.type === TYPES['.html']) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no static file ${req.params.file}` } });
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });
}
