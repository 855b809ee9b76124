/**
 * The bot process `npm run bench:chaos` starts and kills on SQLite and PostgreSQL: a PipelineRunner
 * with the command deployer (its steps append start/end lines to a shared log) on a real clock,
 * taking up builds from the store every tick. (The replicas case runs real `releasebot serve`
 * processes instead: bench/chaos-replicas.ts.) argv: storeUrl stepLog ledgerDir
 */
import { SystemClock } from '../src/clock/clock.js';
import type { StageDef } from '../src/domain/pipeline.js';
import { CommandDeployer } from '../src/pipeline/command-deployer.js';
import { ProcessLedger } from '../src/pipeline/process-ledger.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { createStore } from '../src/store/create.js';

const [url, stepLog, ledgerDir] = process.argv.slice(2);
const clock = new SystemClock();
const stages: StageDef[] = ['staging', 'canary', 'prod'].map((name) => ({ name, environment: 'e', tier: name, azs: ['a'], percent: 10, bakeSeconds: 0.3 }));
// A step sleeps 0.2-0.9 s, logging its start and end with the key.
const script = `echo "start $RELEASEBOT_KEY $(date +%s%N)" >> ${stepLog}; sleep 0.$((RANDOM % 8 + 2)); echo "end $RELEASEBOT_KEY $(date +%s%N)" >> ${stepLog}`;
const store = await createStore(url);
const log = (line: string) => process.stdout.write(`${Date.now()} ${line}\n`);
const ledger = new ProcessLedger({ dir: ledgerDir, clock, pollMs: 50 });
ledger.adoptOrphans();
const make = () =>
  new PipelineRunner({
    store,
    deployer: new CommandDeployer({ command: 'bash', args: ['-c', script], timeoutSeconds: 30, ledger }),
    clock,
    stages,
    retry: { retries: 2, backoffSeconds: 0.2 },
    tickMs: 100,
    sharedStore: true,
  });

await make().start();
log('started');
setInterval(() => undefined, 1 << 30);
