import type { StageDef } from '../domain/pipeline.js';
import type { Config } from './schema.js';

/** The pipeline's stages as the orchestrator takes them (bake in seconds, as parsed). */
export function stageDefs(config: Pick<Config, 'pipeline'>): StageDef[] {
  return config.pipeline.stages.map((s) => ({ name: s.name, environment: s.environment, tier: s.tier, azs: s.azs, percent: s.percent, bakeSeconds: s.bake }));
}
