import type { Build, PullRequest } from '../domain/build.js';

/** One scripted happening in the demo: a build arriving (maybe bad) or an outside incident. */
export type ScenarioStep =
  | { at: number; kind: 'build'; build: Omit<Build, 'receivedAt'>; bad: boolean }
  | { at: number; kind: 'incident'; durationMs: number; factor: number; metrics: string[] };

const AUTHORS = [
  { name: 'Ada Lovelace', slack: 'U01ADA', owners: ['@web-platform'] },
  { name: 'Grace Hopper', slack: 'U02GRACE', owners: ['@payments'] },
  { name: 'Alan Turing', slack: 'U03ALAN', owners: ['@search'] },
  { name: 'Barbara Liskov', slack: 'U04BARB', owners: ['@messaging'] },
  { name: 'Edsger Dijkstra', slack: 'U05EDS', owners: ['@infra'] },
];

const TITLES = [
  'Cache channel membership lookups',
  'Retry webhook delivery on 502',
  'Tighten search query timeout',
  'Render unread badges server-side',
  'Batch presence updates',
  'Move file previews to the new CDN',
  'Drop legacy emoji endpoint',
  'Paginate workspace export',
];

function pr(n: number): PullRequest {
  const a = AUTHORS[n % AUTHORS.length];
  return {
    number: 4000 + n,
    title: TITLES[n % TITLES.length],
    url: `https://git.example.com/app/pull/${4000 + n}`,
    authorName: a.name,
    authorSlackId: a.slack,
    codeOwners: a.owners,
  };
}

/**
 * The demo's script, relative to `start` (ms). Builds arrive every `gapMs`; build number
 * `badIndex` is bad; an outside incident hits every tier in between; the fleet's daily spike
 * happens on its own. Deterministic: the same inputs give the same scenario.
 */
export function demoScenario(start: number, opts: { builds?: number; gapMs?: number; badIndex?: number; incidentAt?: number } = {}): ScenarioStep[] {
  const count = opts.builds ?? 6;
  const gap = opts.gapMs ?? 12 * 60_000;
  const bad = opts.badIndex ?? 2;
  const steps: ScenarioStep[] = [];
  let prN = 0;
  for (let i = 0; i < count; i++) {
    const at = start + i * gap;
    const prs = [pr(prN++), pr(prN++)];
    if (i % 2 === 1) prs.push(pr(prN++));
    const id = `b${String(1001 + i)}`;
    steps.push({
      at,
      kind: 'build',
      bad: i === bad,
      build: {
        id,
        sha: (0x9f3a1c + i * 7919).toString(16).padStart(7, '0'),
        createdAt: new Date(at).toISOString(),
        ciUrl: `https://ci.example.com/builds/${id}`,
        pullRequests: prs,
      },
    });
  }
  steps.push({
    at: opts.incidentAt ?? start + Math.round((count - 0.5) * gap),
    kind: 'incident',
    durationMs: 10 * 60_000,
    factor: 4,
    metrics: ['http_errors_rate'],
  });
  return steps.sort((a, b) => a.at - b.at);
}

/** The revert a developer pushes after build `of` was rolled back: a new build with one PR. */
export function revertBuild(steps: ScenarioStep[], n: number, of: string, at: number): Omit<Build, 'receivedAt'> {
  const original = steps.find((s): s is Extract<ScenarioStep, { kind: 'build' }> => s.kind === 'build' && s.build.id === of);
  const culprit = original?.build.pullRequests[0] ?? pr(0);
  const id = `b${2000 + n}`;
  return {
    id,
    sha: (0x7e0000 + n * 104729).toString(16).padStart(7, '0'),
    createdAt: new Date(at).toISOString(),
    ciUrl: `https://ci.example.com/builds/${id}`,
    pullRequests: [{ ...culprit, number: 5000 + n, title: `Revert "${culprit.title}"`, url: `https://git.example.com/app/pull/${5000 + n}` }],
  };
}
