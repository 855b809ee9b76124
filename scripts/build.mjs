// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json, tests left out) and copies
// the web UI's static files next to the compiled server, where ui-routes.ts looks for them
// (dist/server/ui-routes.js reads ../ui/static/). Incremental: a rebuild after a small change takes
// a few seconds.
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('build: TypeScript is not installed (a production install omits it); run `npm ci` without --omit=dev first\n');
  process.exit(2);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
rmSync(join(root, 'dist/ui/static'), { recursive: true, force: true });
cpSync(join(root, 'src/ui/static'), join(root, 'dist/ui/static'), { recursive: true });
