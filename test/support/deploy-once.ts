/**
 * A stand-in bot for the orphan tests: runs one command deploy step with a process ledger, then
 * waits to be killed. argv: ledgerDir key timeoutSeconds script
 */
import { SystemClock } from '../../src/clock/clock.js';
import { CommandDeployer } from '../../src/pipeline/command-deployer.js';
import { ProcessLedger } from '../../src/pipeline/process-ledger.js';

const [dir, key, timeout, script] = process.argv.slice(2);
const ledger = new ProcessLedger({ dir, clock: new SystemClock() });
const deployer = new CommandDeployer({ command: 'sh', args: ['-c', script], timeoutSeconds: Number(timeout), ledger });
const req = { key, kind: 'deploy' as const, buildId: 'b1', targetBuildId: 'b1', stage: 'prod', environment: 'e', tier: 't', azs: ['a'], percent: 100 };
void deployer.deploy(req).catch(() => undefined);
setInterval(() => undefined, 1000);
