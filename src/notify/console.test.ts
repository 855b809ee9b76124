import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleNotifier, renderConsoleLines } from './console.js';
import { build, event, signal } from '../../test/support/slack-fixtures.js';

test('console lines: event with signals and links, shadow, DM steps, team, page', async () => {
  const e = event([signal('error_rate', 1)], { severity: 'siren' });
  const lines = renderConsoleLines({ type: 'event', key: 'k', event: e, shadow: false });
  assert.match(lines[0], /^🚨 event ev-1 build b42 at canary \(siren, confidence medium\): Error rate in canary us-east-1a is 4\.8x its usual level: the deploy may have caused it\.$/);
  assert.match(lines[1], /^    • error_rate\{az="us-east-1a", tier="canary"\} \(in deploy scope\): value 5\.25.*graph \(https:\/\/grafana\.example/);
  assert.equal(lines[2], '    bot action: offer_rollback');
  assert.match(renderConsoleLines({ type: 'event', key: 'k', event: e, shadow: true, wouldDo: 'rollback' })[0], /^\[shadow\] Shadow mode: would have rolled back build b42 because 1 z-score/);
  const step = renderConsoleLines({ type: 'deploy_progress', key: 'k', build: build(), stage: 'canary', phase: 'rolled_back', reason: 'z=9', at: 0 });
  assert.deepEqual(step, ['[deploy:final] Build b42 was rolled back at canary: z=9 (authors: Alice, Bob)']);
  assert.deepEqual(renderConsoleLines({ type: 'page', key: 'k', action: 'trigger', dedupKey: 'd', summary: 's', severity: 'critical', at: 0 }), ['[page:trigger] critical d: s']);
  const out: string[] = [];
  await new ConsoleNotifier((l) => out.push(l)).post({ type: 'team', key: 'k', text: 'healthy', at: 0 });
  assert.deepEqual(out, ['[team] healthy']);
});
