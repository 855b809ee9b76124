import { readFileSync } from 'node:fs';

/**
 * The package's version, from its package.json. src/cli and dist/cli are both two levels below the
 * package root, so the same relative path works from the sources and from the compiled package.
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
