import type { AuditEntry } from './store.js';

/** Longest actor, action or target kept in the audit log (characters). */
export const AUDIT_FIELD_MAX = 200;
/** Longest JSON detail kept in the audit log (characters). */
export const AUDIT_DETAIL_MAX = 4000;

/**
 * NUL (PostgreSQL text refuses it: the write fails and the attempt goes unaudited) and other
 * control characters (they can forge log lines) become U+FFFD.
 */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
}

/** A bounded, cleaned copy of one text field, marked when it was cut. */
export function boundText(s: string, max = AUDIT_FIELD_MAX): string {
  const c = clean(s);
  return c.length <= max ? c : `${c.slice(0, max)}…(${c.length} chars)`;
}

/** The detail as stored JSON: at most AUDIT_DETAIL_MAX characters, else a truncated preview. */
function boundDetail(detail: Record<string, unknown>): string {
  // JSON.stringify escapes control characters; only \u0000 must go (PostgreSQL refuses it even escaped in jsonb, and it is never meaningful).
  const json = JSON.stringify(detail).replace(/\\u0000/g, '\\ufffd');
  if (json.length <= AUDIT_DETAIL_MAX) return json;
  return JSON.stringify({ truncated: true, length: json.length, preview: json.slice(0, AUDIT_DETAIL_MAX / 2) });
}

/**
 * The audit row's text fields, bounded: whatever a request carries (a 1 MB user name, a NUL byte)
 * is audited, but never grows the table by more than a few kilobytes per attempt.
 */
export function boundAudit(a: AuditEntry): { actor: string; action: string; target: string | null; detail: string | null } {
  return {
    actor: boundText(a.actor),
    action: boundText(a.action),
    target: a.target === undefined ? null : boundText(a.target),
    detail: a.detail === undefined ? null : boundDetail(a.detail),
  };
}
