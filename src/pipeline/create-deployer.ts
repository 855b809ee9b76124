import { SystemClock, type Clock } from '../clock/clock.js';
import type { DeployerConfig } from '../config/schema.js';
import { CommandDeployer } from './command-deployer.js';
import { ProcessLedger } from './process-ledger.js';
import type { Deployer, DeployRequest } from './deployer.js';
import { SimulatedDeployer } from './simulated-deployer.js';
import type { RetryPolicy } from './state.js';
import { WebhookDeployer } from './webhook-deployer.js';

export interface DeployerDeps {
  clock: Clock;
  /** Simulated deployer only: tell the simulated fleet which build runs where. */
  onDeployed?: (req: DeployRequest) => void;
  fetch?: typeof fetch;
  /** Command deployer: where step processes are recorded across crashes (default `./.releasebot/deploys`). */
  processDir?: string;
  log?: (line: string) => void;
}

/** Default directory of the command deployer's process records (beside the default SQLite store). */
export const DEFAULT_PROCESS_DIR = './.releasebot/deploys';

/** Build the configured deployer. Switches exhaustively: an unknown type cannot compile. */
export function createDeployer(config: DeployerConfig, deps: DeployerDeps): Deployer {
  switch (config.type) {
    case 'simulated':
      return new SimulatedDeployer({ clock: deps.clock, stepSeconds: config.stepSeconds, failRate: config.failRate, onDeployed: deps.onDeployed });
    case 'command': {
      // Wall time: an orphan's timeout is real time even when the pipeline runs on a virtual clock.
      const ledger = new ProcessLedger({ dir: deps.processDir ?? DEFAULT_PROCESS_DIR, clock: new SystemClock(), log: deps.log });
      ledger.adoptOrphans();
      return new CommandDeployer({ command: config.command, args: config.args, env: config.env, passEnv: config.passEnv, timeoutSeconds: config.timeout, ledger });
    }
    case 'webhook':
      return new WebhookDeployer({ url: config.url, headers: config.headers, timeoutSeconds: config.timeout, fetch: deps.fetch });
    default: {
      const never: never = config;
      throw new Error(`unknown deployer type ${JSON.stringify(never)}`);
    }
  }
}

/** The retry policy for the runner: command and webhook configure it; the simulated deployer uses the defaults. */
export function retryPolicyOf(config: DeployerConfig): RetryPolicy {
  switch (config.type) {
    case 'simulated':
      return { retries: 2, backoffSeconds: 5 };
    case 'command':
    case 'webhook':
      return { retries: config.retries, backoffSeconds: config.backoff };
    default: {
      const never: never = config;
      throw new Error(`unknown deployer type ${JSON.stringify(never)}`);
    }
  }
}
