import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { SimulatedFleet } from '../../src/sim/fleet.js';
import type { FleetSeriesKey } from '../../src/sim/topology.js';

/** The series a harness backfills: few enough that startup stays fast, enough to test matchers. */
export function harnessSeries(fleet: SimulatedFleet): FleetSeriesKey[] {
  const wanted = new Set(['commercial/canary/az1', 'commercial/canary/az2', 'commercial/production/az1', 'commercial/production/az2', 'gov/production/az1']);
  return fleet.series().filter((s) => wanted.has(`${s.environment}/${s.tier}/${s.az}`));
}

export interface HistorySpec {
  fleet: SimulatedFleet;
  series: FleetSeriesKey[];
  /** First and last sample time (ms, inclusive), aligned to `stepMs`. */
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Extra labels added to every series (the bench uses a `shard` label to multiply series). */
  shards?: number;
}

/** Label string `{environment="..",tier="..",az=".."[,shard=".."]}` of one series. */
function labelText(s: FleetSeriesKey, shard?: number): string {
  const shardLabel = shard === undefined ? '' : `,shard="${shard}"`;
  return `{environment="${s.environment}",tier="${s.tier}",az="${s.az}"${shardLabel}}`;
}

/**
 * Shards as (label value, fleet) pairs. Each shard has its own seed: identical copies would
 * compress unrealistically well and make byte counts meaningless.
 */
function shardList(spec: HistorySpec): { shard?: number; fleet: SimulatedFleet }[] {
  if (!spec.shards) return [{ fleet: spec.fleet }];
  return Array.from({ length: spec.shards }, (_, shard) => ({ shard, fleet: shard === 0 ? spec.fleet : new SimulatedFleet({ seed: spec.fleet.seed * 7919 + shard }) }));
}

/**
 * OpenMetrics text for promtool, one chunk per UTC day (promtool is much faster with one
 * 24 h block per file). Samples of one metric family are contiguous, each series' samples in time order.
 */
export function openMetricsByDay(spec: HistorySpec): { day: number; text: string }[] {
  const DAY = 86_400_000;
  const out: { day: number; text: string }[] = [];
  for (let dayStart = Math.floor(spec.startMs / DAY) * DAY; dayStart <= spec.endMs; dayStart += DAY) {
    const from = Math.max(spec.startMs, dayStart);
    const to = Math.min(spec.endMs, dayStart + DAY - 1);
    const lines: string[] = [];
    const metrics = [...new Set(spec.series.map((s) => s.metric))];
    for (const metric of metrics) {
      lines.push(`# TYPE ${metric} gauge`);
      for (const s of spec.series.filter((x) => x.metric === metric)) {
        for (const { shard, fleet } of shardList(spec)) {
          const name = metric + labelText(s, shard);
          for (let t = alignUp(from, spec.stepMs); t <= to; t += spec.stepMs) lines.push(`${name} ${fleet.valueAt(s, t)} ${t / 1000}`);
        }
      }
    }
    lines.push('# EOF');
    out.push({ day: dayStart, text: lines.join('\n') + '\n' });
  }
  return out;
}

/** Prometheus text exposition lines with millisecond timestamps (VictoriaMetrics' import format), in chunks. */
export function* exposition(spec: HistorySpec, linesPerChunk = 200_000): Generator<string> {
  let lines: string[] = [];
  for (const s of spec.series) {
    for (const { shard, fleet } of shardList(spec)) {
      const name = s.metric + labelText(s, shard);
      for (let t = alignUp(spec.startMs, spec.stepMs); t <= spec.endMs; t += spec.stepMs) {
        lines.push(`${name} ${fleet.valueAt(s, t)} ${t}`);
        if (lines.length >= linesPerChunk) {
          yield lines.join('\n') + '\n';
          lines = [];
        }
      }
    }
  }
  if (lines.length) yield lines.join('\n') + '\n';
}

function alignUp(t: number, step: number): number {
  return Math.ceil(t / step) * step;
}

/** Path of an executable on PATH (or /usr/bin), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/**
 * A missing service: returns the skip reason (printed), or throws when CI=true, where every
 * service must be present and a skip would hide a broken pipeline.
 */
export function serviceMissing(reason: string): string {
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: services are required)`);
  console.log(`# SKIP: ${reason}`);
  return reason;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
