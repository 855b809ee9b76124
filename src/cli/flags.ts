import { EXIT } from './exit.js';

/** Parses a `--port` value (0 to 65535, 0 = any free port); a bad value prints one line and exits 2. */
export function parsePort(command: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`releasebot ${command}: --port must be a whole number from 0 to 65535, got "${value}"\n`);
    process.exit(EXIT.config);
  }
  return n;
}
