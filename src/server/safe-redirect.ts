/** A base no real request uses: only its origin matters. */
const BASE = 'http://releasebot.invalid';

/**
 * Where to send a user after login: a path on this site, never another site. `next` is read as a
 * browser would read a Location header (the WHATWG URL parser strips tabs and newlines, turns `\`
 * into `/`, resolves `.` segments), and anything that resolves off this origin becomes `/`.
 * The result is re-serialised from the parsed URL, so what the browser gets is what was checked.
 */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000) return '/';
  // Only a path may come in: not a scheme, not a protocol-relative URL, not something with a leading space.
  const trimmed = next.replace(/[\t\n\r]/g, '');
  if (!trimmed.startsWith('/') || /^[/\\]{2}/.test(trimmed)) return '/';
  let url: URL;
  try {
    url = new URL(next, `${BASE}/`);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as another host.
  if (!path.startsWith('/') || /^\/[/\\]/.test(path)) return '/';
  return path;
}
