import type { Build } from '../domain/build.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import type { DeployEvent } from '../domain/events.js';
import { ReleasebotError } from '../domain/errors.js';
import type { AuditEntry, OutboxEntry } from './store.js';
import type { AuditTable, OutboxTable } from './schema.js';
import type { Selectable } from 'kysely';
import { boundAudit } from './audit-bounds.js';

/** Parses a JSON text column; a corrupt row is a STORE_FAILED error naming the table and key. */
export function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ReleasebotError('STORE_FAILED', `corrupt JSON in ${where}`, { where }, { cause: err });
  }
}

export function buildToRow(b: Build) {
  return { id: b.id, sha: b.sha, created_at: b.createdAt, received_at: b.receivedAt, data: JSON.stringify(b) };
}

export function decisionToRow(d: Decision) {
  return { id: d.id, at: d.at, kind: d.kind, build_id: d.buildId ?? null, stage: d.stage ?? null, data: JSON.stringify(d) };
}

export function stepToRow(s: DeployStep) {
  return { key: s.key, build_id: s.buildId, stage: s.stage, started_at: s.startedAt, data: JSON.stringify(s) };
}

export function eventToRow(e: DeployEvent) {
  return {
    id: e.id,
    build_id: e.buildId,
    status: e.status,
    opened_at: e.openedAt,
    updated_at: e.updatedAt,
    data: JSON.stringify(e),
  };
}

export function rowToOutbox(r: Selectable<OutboxTable>): OutboxEntry {
  const entry: OutboxEntry = {
    id: Number(r.id),
    target: r.target,
    key: r.key,
    payload: parseJson(r.payload, `outbox ${r.id}`),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    status: r.status as OutboxEntry['status'],
  };
  if (r.last_error !== null) entry.lastError = r.last_error;
  return entry;
}

/** Audit rows are bounded in size and free of NUL bytes (see audit-bounds.ts). */
export function auditToRow(a: AuditEntry) {
  return { at: a.at, allowed: a.allowed ? 1 : 0, ...boundAudit(a) };
}

export function rowToAudit(r: Selectable<AuditTable>): AuditEntry {
  const entry: AuditEntry = { at: Number(r.at), actor: r.actor, action: r.action, allowed: Number(r.allowed) === 1 };
  if (r.target !== null) entry.target = r.target;
  if (r.detail !== null) entry.detail = parseJson(r.detail, `audit ${r.seq}`);
  return entry;
}
