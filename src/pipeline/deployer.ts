/** What a deployer is asked to do: put `targetBuildId` on one stage. */
export interface DeployRequest {
  /** Idempotency key of the effect; the same key must never deploy twice. */
  key: string;
  kind: 'deploy' | 'rollback';
  /** Build being deployed (for a rollback: the build being rolled back). */
  buildId: string;
  /** Build the stage must run afterwards (for a rollback: the last good build, or null for none). */
  targetBuildId: string | null;
  stage: string;
  environment: string;
  tier: string;
  azs: string[];
  percent: number;
}

/**
 * Performs deploy steps. Resolves when the step succeeded; rejects with a DeployError
 * (`DEPLOY_FAILED` or `DEPLOY_TIMEOUT`) when it did not. Retries are the caller's job.
 */
export interface Deployer {
  deploy(req: DeployRequest, signal?: AbortSignal): Promise<void>;
}
