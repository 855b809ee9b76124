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
  '.tmpl': 'text/html; charset=utf-8',
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

/** A page: its title, its script module, and whether it draws charts (loads uPlot). */
interface PageSpec {
  title: string;
  script: string;
  charts?: boolean;
}

/** Page routes; each serves the one HTML shell (`page.html.tmpl`) filled in, and its script fetches data from the API. */
const PAGES: Array<[string, PageSpec]> = [
  ['/', { title: 'Pipeline', script: 'board' }],
  ['/events', { title: 'Events', script: 'events' }],
  ['/events/:id', { title: 'Event', script: 'event', charts: true }],
  ['/builds', { title: 'History', script: 'history', charts: true }],
  ['/builds/:id', { title: 'Build', script: 'build' }],
  ['/history', { title: 'History', script: 'history', charts: true }],
];

const CHART_HEAD = '<link rel="stylesheet" href="/static/uPlot.min.css">\n<script src="/static/uPlot.iife.min.js"></script>';

/** Fills the page shell. Values are fixed strings from PAGES, never request data. */
export function renderPage(template: string, page: PageSpec): Buffer {
  const vars: Record<string, string> = { title: page.title, script: page.script, head: page.charts ? CHART_HEAD : '' };
  return Buffer.from(template.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in vars)) throw new Error(`page.html.tmpl: unknown placeholder {{${k}}}`);
    return vars[k];
  }));
}

/** Serves the web UI: pages, `/login`, and `/static/*` (the UI's own files plus uPlot). */
export function registerUiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const assets = loadAssets();
  const html = (name: string): Buffer => {
    const a = assets.get(name);
    if (!a) throw new Error(`UI asset ${name} missing from src/ui/static`);
    return a.body;
  };
  const needsLogin = (req: FastifyRequest): boolean => ctx.auth.requireLoginForRead && ctx.auth.principalOf(req) === null;

  const shell = html('page.html.tmpl').toString('utf8');
  for (const [route, page] of PAGES) {
    const body = renderPage(shell, page);
    app.get(route, async (req, reply) => {
      // Pages redirect to the login form rather than showing a JSON 401.
      if (needsLogin(req)) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      return reply.type(TYPES['.html']).header('cache-control', 'no-cache').send(body);
    });
  }
  const login = html('login.html');
  app.get('/login', async (_req, reply) => reply.type(TYPES['.html']).header('cache-control', 'no-cache').send(login));

  // Browsers ask for /favicon.ico whatever the page links; answer with the same icon instead of a 404.
  const icon = html('favicon.svg');
  app.get('/favicon.ico', async (_req, reply) => reply.type(TYPES['.svg']).header('cache-control', 'max-age=86400').send(icon));

  app.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => {
    const a = assets.get(req.params.file);
    if (!a || a.type === TYPES['.html']) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no static file ${req.params.file}` } });
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });
}
