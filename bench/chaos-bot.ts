/**
 * The bot process `npm run bench:chaos` starts and kills: a PipelineRunner with the command deployer
 * (its steps append start/end lines to a shared log) on a real clock, taking up builds from the
 * store every tick. With `--replica ID` it runs under a LeaderElector and runs the pipeline only
 * while it leads. argv: storeUrl stepLog ledgerDir [--replica ID --ttl MS]
 */
import { SystemClock } from '../src/clock/clock.js';
import type { StageDef } from '../src/domain/pipeline.js';
import { LeaderElector } from '../src/leader/leader-elector.js';
import { CommandDeployer } from '../src/pipeline/command-deployer.js';
import { ProcessLedger } from '../src/pipeline/process-ledger.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { createStore } from '../src/store/create.js';
import type { Fence } from '../src/store/store.js';

const [url, stepLog, ledgerDir] = process.argv.slice(2);
const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const replica = flag('replica');
const clock = new SystemClock();
const stages: StageDef[] = ['staging', 'canary', 'prod'].map((name) => ({ name, environment: 'e', tier: name, azs: ['a'], percent: 10, bakeSeconds: 0.3 }));
// A step sleeps 0.2-0.9 s, logging its start and end with the key.
const script = `echo "start $RELEASEBOT_KEY $(date +%s%N)" >> ${stepLog}; sleep 0.$((RANDOM % 8 + 2)); echo "end $RELEASEBOT_KEY $(date +%s%N)" >> ${stepLog}`;
const store = await createStore(url);
const log = (line: string) => process.stdout.write(`${Date.now()} ${line}\n`);
const ledger = new ProcessLedger({ dir: ledgerDir, clock, pollMs: 50 });
ledger.adoptOrphans();
const make = (fence?: Fence) =>
  new PipelineRunner({
    store,
    deployer: new CommandDeployer({ command: 'bash', args: ['-c', script], timeoutSeconds: 30, ledger }),
    clock,
    stages,
    retry: { retries: 2, backoffSeconds: 0.2 },
    tickMs: 100,
    sharedStore: true,
    ...(fence ? { fence: () => fence } : {}),
  });

if (!replica) {
  await make().start();
  log('started');
} else {
  let runner: PipelineRunner | undefined;
  // One holder id per process: a restarted replica must not "renew" the lease of its dead predecessor.
  const elector = new LeaderElector({
    store, holder: `${replica}-${process.pid}`, clock, ttlMs: Number(flag('ttl') ?? 15_000), log,
    onElected: async (fence) => {
      runner = make(fence);
      await runner.start();
      log(`elected ${replica}`);
    },
    onDeposed: async () => {
      await runner?.close();
      runner = undefined;
    },
  });
  void elector.run(new AbortController().signal);
}
setInterval(() => undefined, 1 << 30);
