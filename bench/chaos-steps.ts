import { existsSync, readFileSync } from 'node:fs';

/** Duplicate starts of a key with no kill in between, and overlapping runs of one key. */
export function stepChecks(file: string, kills: bigint[]): { steps: number; duplicateKeys: number; overlappingRuns: number } {
  const runs = new Map<string, Array<{ start: bigint; end?: bigint }>>();
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  for (const l of lines) {
    const [what, key, ns] = l.split(' ');
    const list = runs.get(key) ?? [];
    runs.set(key, list);
    if (what === 'start') list.push({ start: BigInt(ns) });
    else {
      const open = list.find((r) => r.end === undefined);
      if (open) open.end = BigInt(ns);
    }
  }
  let duplicateKeys = 0;
  let overlappingRuns = 0;
  let steps = 0;
  for (const list of runs.values()) {
    steps += list.length;
    list.sort((a, b) => (a.start < b.start ? -1 : 1));
    for (let i = 1; i < list.length; i++) {
      if (!kills.some((k) => k > list[i - 1].start && k < list[i].start)) duplicateKeys++;
      if (list[i - 1].end === undefined || list[i - 1].end! > list[i].start) overlappingRuns++;
    }
  }
  return { steps, duplicateKeys, overlappingRuns };
}
