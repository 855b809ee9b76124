import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SystemClock } from '../src/clock/clock.js';
import { CommandDeployer } from '../src/pipeline/command-deployer.js';
import { ProcessLedger } from '../src/pipeline/process-ledger.js';

const KEY = 'deploy:b1:prod:7';
const req = { key: KEY, kind: 'deploy' as const, buildId: 'b1', targetBuildId: 'b1', stage: 'prod', environment: 'e', tier: 't', azs: ['a'], percent: 100 };

/** A step that logs its start and end (ns) around a sleep. */
const script = (log: string, seconds: number) => `echo "start $$ $(date +%s%N)" >> ${log}; sleep ${seconds}; echo "end $$ $(date +%s%N)" >> ${log}`;

function lines(log: string): Array<{ what: string; pid: string; ns: bigint }> {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [what, pid, ns] = l.split(' ');
    return { what, pid, ns: BigInt(ns) };
  });
}

/** Start a stand-in bot that runs the step, wait until the step started, then kill -9 the bot. */
async function crashDuringStep(dir: string, log: string, seconds: number, timeout: number): Promise<void> {
  const bot = spawn(process.execPath, ['--import', 'tsx', 'test/support/deploy-once.ts', dir, KEY, String(timeout), script(log, seconds)], { stdio: 'ignore' });
  for (let i = 0; i < 200 && lines(log).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(lines(log).length, 1, 'the step started');
  bot.kill('SIGKILL');
  await new Promise((r) => bot.once('exit', r));
}

describe('deploy processes across a bot crash (kill -9)', () => {
  it('a restarted bot waits for the orphan that still runs the key, then runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ledger-'));
    const log = join(dir, 'steps.log');
    await crashDuringStep(join(dir, 'ledger'), log, 2, 60);
    const ledger = new ProcessLedger({ dir: join(dir, 'ledger'), clock: new SystemClock(), pollMs: 50 });
    await new CommandDeployer({ command: 'sh', args: ['-c', script(log, 0)], timeoutSeconds: 60, ledger }).deploy(req);
    const l = lines(log);
    assert.deepEqual(l.map((x) => x.what), ['start', 'end', 'start', 'end'], 'the orphan finished before the new run started');
    assert.ok(l[2].ns >= l[1].ns, 'no overlap');
  });

  it("kills the orphan when its timeout passes, although its bot is dead", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ledger-'));
    const log = join(dir, 'steps.log');
    const t0 = process.hrtime.bigint();
    await crashDuringStep(join(dir, 'ledger'), log, 30, 2);
    const ledger = new ProcessLedger({ dir: join(dir, 'ledger'), clock: new SystemClock(), pollMs: 50 });
    await new CommandDeployer({ command: 'sh', args: ['-c', script(log, 0)], timeoutSeconds: 60, ledger }).deploy(req);
    const waitedS = Number(process.hrtime.bigint() - t0) / 1e9;
    const l = lines(log);
    assert.deepEqual(l.map((x) => x.what), ['start', 'start', 'end'], 'the orphan was killed (it never logged its end)');
    assert.ok(waitedS < 20, `killed at its 2 s timeout, not after its 30 s sleep (took ${waitedS.toFixed(1)} s)`);
    // Gone, or a zombie waiting for init to reap it (its parent, the bot, is dead): either way not running.
    const stat = existsSync(`/proc/${l[0].pid}/stat`) ? readFileSync(`/proc/${l[0].pid}/stat`, 'utf8') : '';
    const orphanAlive = stat !== '' && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    assert.equal(orphanAlive, false);
  });
});
