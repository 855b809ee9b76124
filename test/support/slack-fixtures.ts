import type { Build } from '../../src/domain/build.js';
import type { DeployEvent, Signal } from '../../src/domain/events.js';

/** A z-score breach signal on `check` at `at`. */
export function signal(check: string, at: number, overrides: Partial<Signal> = {}): Signal {
  return {
    check,
    labels: { tier: 'canary', az: 'us-east-1a' },
    inScope: true,
    at,
    verdict: { kind: 'breach', rule: 'zscore', reason: 'z above threshold', value: 5.25, mean: 1.1, std: 0.3, z: 13.83, threshold: 3 },
    links: { graph: `https://grafana.example/d/x?var-check=${check}`, logs: `https://logs.example/search?q=${check}` },
    ...overrides,
  };
}

/** An open red event for build b42 at canary with the given signals. */
export function event(signals: Signal[], overrides: Partial<DeployEvent> = {}): DeployEvent {
  return {
    id: 'ev-1',
    buildId: 'b42',
    stage: 'canary',
    environment: 'prod',
    status: 'open',
    severity: 'red',
    confidence: 'medium',
    openedAt: 1_000,
    updatedAt: 1_000,
    signals,
    summary: `${signals.length} z-score breaches in the canary`,
    action: 'offer_rollback',
    ...overrides,
  };
}

/** Build b42 with PRs by two authors (one known by Slack id, one only by e-mail); alice has two PRs. */
export function build(id = 'b42'): Build {
  return {
    id,
    sha: 'abc123',
    createdAt: '2024-05-01T10:00:00Z',
    receivedAt: '2024-05-01T10:01:00Z',
    ciUrl: 'https://ci.example/b42',
    pullRequests: [
      { number: 1, title: 'Faster search', url: 'https://git.example/pr/1', authorName: 'Alice', authorSlackId: 'UALICE', codeOwners: [] },
      { number: 2, title: 'Fix typo', url: 'https://git.example/pr/2', authorName: 'Alice', authorSlackId: 'UALICE', codeOwners: [] },
      { number: 3, title: 'New cache', url: 'https://git.example/pr/3', authorName: 'Bob', authorEmail: 'bob@example.com', codeOwners: [] },
    ],
  };
}
