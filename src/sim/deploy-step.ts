import type { DeployRequest } from '../pipeline/deployer.js';
import type { SimulatedFleet } from './fleet.js';

/**
 * Applies a deploy step that succeeded to the simulated fleet, so its metrics follow the builds:
 * a deploy puts the target build on its share of the cells, a rollback hands the rolled-back
 * build's share to the target. The simulated deployer's `onDeployed` hook calls this.
 */
export function applyDeployStep(fleet: SimulatedFleet, req: DeployRequest, at: number): void {
  if (req.kind === 'deploy') {
    fleet.setDeployment({ environment: req.environment, tier: req.tier, azs: req.azs, percent: req.percent, buildId: req.targetBuildId ?? req.buildId, at });
  } else {
    fleet.rollback({ environment: req.environment, tier: req.tier, azs: req.azs, buildId: req.buildId, targetBuildId: req.targetBuildId, at });
  }
}
