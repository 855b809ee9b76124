#!/usr/bin/env node
// The `releasebot` command: runs the compiled CLI (dist/, made by `npm run build`) in this same
// process, so signals reach the server directly and there is no launcher that could outlive or
// orphan it.
import { existsSync } from 'node:fs';
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('releasebot: dist/ is missing: run `npm run build` in the releasebot directory first\n');
  process.exit(2);
}
await import(main.href);
