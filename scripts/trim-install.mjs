// postinstall: makes a production install (`npm ci --omit=dev`) of releasebot lean by removing what
// nothing loads at run time: better-sqlite3's compiler output when it was built from source
// (object files and a static library, about 15 MB; the module itself stays), and TypeScript
// declarations and source maps (about 18 MB). It runs only when development dependencies are
// omitted and only in releasebot's own directory (never in a project that depends on it), so a
// development install, which needs the declarations, is untouched. `npm ci` restores everything.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const omit = (process.env.npm_config_omit ?? '').split(/[\s,]+/);
const ownProject = resolve(process.env.npm_config_local_prefix ?? '') === root;
if (!omit.includes('dev') || !ownProject) process.exit(0);

const modules = join(root, 'node_modules');
let freed = 0;

function size(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((n, e) => n + size(join(path, e)), 0) : s.size;
}

function remove(path) {
  if (!existsSync(path)) return;
  freed += size(path);
  rmSync(path, { recursive: true, force: true });
}

// better-sqlite3 compiled from source: keep build/Release/better_sqlite3.node, drop the rest.
const release = join(modules, 'better-sqlite3/build/Release');
for (const name of ['obj', 'obj.target', '.deps', 'sqlite3.a', 'test_extension.node']) remove(join(release, name));

// Declarations and source maps: for editors and debuggers, never loaded by node.
const dropped = /\.(d\.ts|d\.mts|d\.cts|js\.map|mjs\.map|cjs\.map)$/;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.isFile() && dropped.test(entry.name)) remove(path);
  }
}
if (existsSync(modules)) walk(modules);
process.stdout.write(`releasebot: production install trimmed by ${(freed / 1048576).toFixed(1)} MB (compiler output, type declarations, source maps)\n`);
