import type { FleetCell } from './topology.js';
import { cellKey } from './topology.js';

/** Which builds run on a cell, as shares summing to 1 (an empty map: the baseline build everywhere). */
export type BuildShares = Record<string, number>;

interface Change {
  at: number;
  shares: BuildShares;
  /** The share of the cell that changed build at this change (set when recorded). */
  moved: number;
}

/**
 * The history of which build runs where. Every change is recorded with its time, so the
 * fleet stays a pure function of time: asking about a moment before a deploy gives the
 * fleet as it was then, however late the question comes.
 */
export class DeploymentHistory {
  private readonly byCell = new Map<string, Change[]>();

  /** Shares in force on `cell` at time `t`. `key` is `cellKey(cell)` when the caller already has it (per-sample paths). */
  sharesAt(cell: FleetCell, t: number, key: string = cellKey(cell)): BuildShares {
    const changes = this.byCell.get(key);
    const i = changes ? lastAtOrBefore(changes, t) : -1;
    return i >= 0 ? changes![i].shares : {};
  }

  /**
   * From `at` on, `buildId` runs on `percent`% of the cell; the other builds keep their
   * relative proportions in what is left (the usual rolling deploy: new hosts replace old ones evenly).
   */
  setShare(cell: FleetCell, buildId: string, percent: number, at: number): void {
    const before = this.sharesAt(cell, at);
    const share = Math.min(1, Math.max(0, percent / 100));
    const others = Object.entries(before).filter(([b]) => b !== buildId);
    const othersTotal = others.reduce((s, [, v]) => s + v, 0);
    const next: BuildShares = {};
    // Why skip zero shares: a build replaced everywhere would otherwise stay in every later map of the cell
    // (a simulated week then carried hundreds of dead entries per cell, read for every sample).
    if (othersTotal > 0) {
      for (const [b, v] of others) if (v > 0 && share < 1) next[b] = (v / othersTotal) * (1 - share);
    } else if (share < 1) next[BASELINE_BUILD] = 1 - share;
    if (share > 0) next[buildId] = share;
    this.record(cell, at, next);
  }

  /** From `at` on, the share `buildId` had on the cell runs `targetBuildId` instead (a rollback). */
  replace(cell: FleetCell, buildId: string, targetBuildId: string | null, at: number): void {
    const before = this.sharesAt(cell, at);
    const moved = before[buildId] ?? 0;
    if (moved === 0) return;
    const next: BuildShares = { ...before };
    delete next[buildId];
    const target = targetBuildId ?? BASELINE_BUILD;
    next[target] = (next[target] ?? 0) + moved;
    this.record(cell, at, next);
  }

  /** Every build with a share on `cell` at some moment of [from, t]. */
  buildsBetween(cell: FleetCell, from: number, t: number, key: string = cellKey(cell)): Set<string> {
    const out = new Set<string>();
    const changes = this.byCell.get(key);
    if (!changes) return out;
    for (let i = Math.max(0, lastAtOrBefore(changes, from)); i <= lastAtOrBefore(changes, t); i++) {
      for (const b of Object.keys(changes[i].shares)) out.add(b);
    }
    return out;
  }

  /** When the builds on `cell` last changed at or before `t` (-Infinity: never). */
  lastChangeAt(cell: FleetCell, t: number, key: string = cellKey(cell)): number {
    const changes = this.byCell.get(key);
    const i = changes ? lastAtOrBefore(changes, t) : -1;
    return i >= 0 ? changes![i].at : -Infinity;
  }

  /** The latest change on `cell` at or before `t`: when, and the share of the cell that changed build. */
  lastChange(cell: FleetCell, t: number, key: string = cellKey(cell)): { at: number; moved: number } | undefined {
    const changes = this.byCell.get(key);
    const i = changes ? lastAtOrBefore(changes, t) : -1;
    return i >= 0 ? { at: changes![i].at, moved: changes![i].moved } : undefined;
  }

  private record(cell: FleetCell, at: number, shares: BuildShares): void {
    const key = cellKey(cell);
    const changes = this.byCell.get(key) ?? [];
    // Keep changes sorted by time; a change at the same instant as the last one supersedes it.
    const kept = changes.filter((c) => c.at < at);
    const later = changes.filter((c) => c.at > at);
    const next = [...kept, { at, shares, moved: 0 }, ...later];
    // Each change's moved share depends on the one before it: recompute from the insertion on.
    for (let i = kept.length; i < next.length; i++) next[i] = { ...next[i], moved: movedShare(i > 0 ? next[i - 1].shares : {}, next[i].shares) };
    this.byCell.set(key, next);
  }
}

/** Half the total variation between two share maps: the share of the cell that now runs another build. */
function movedShare(before: BuildShares, after: BuildShares): number {
  const norm = (s: BuildShares): BuildShares => (Object.keys(s).length === 0 ? { [BASELINE_BUILD]: 1 } : s);
  const b0 = norm(before);
  const a0 = norm(after);
  let moved = 0;
  for (const b of new Set([...Object.keys(b0), ...Object.keys(a0)])) moved += Math.abs((a0[b] ?? 0) - (b0[b] ?? 0));
  return Math.min(1, moved / 2);
}

/**
 * Index of the last change at or before `t` (-1: none), by binary search: a simulated week holds
 * hundreds of changes per cell, and every sample of every window asks (a linear scan from the
 * newest made the fleet the bench's main cost for past windows).
 */
function lastAtOrBefore(changes: Change[], t: number): number {
  let lo = 0;
  let hi = changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (changes[mid].at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The build that runs where nothing has been deployed yet. Never bad. */
export const BASELINE_BUILD = 'baseline';
