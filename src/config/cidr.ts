import { isIP } from 'node:net';

/** Why a CIDR string is not usable, or null when it is. */
export function cidrProblem(cidr: string): string | null {
  const [addr, bits, ...rest] = cidr.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || rest.length > 0) return `"${cidr}" is not an IP address or CIDR (like 10.0.0.0/8 or ::1/128)`;
  if (bits === undefined) return null;
  const n = Number(bits);
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(bits) || n > max) return `"${cidr}": prefix length must be 0..${max}`;
  return null;
}
