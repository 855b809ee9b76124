import { ReleasebotError } from '../domain/errors.js';
import type { StageDef } from '../domain/pipeline.js';
import type { PipelineState, RetryPolicy } from './state.js';

/**
 * Take over a saved state under the current configuration. Stage settings (bake, AZs, percent...) and
 * the retry policy follow the configuration; the stage list itself (names, order) must match, because
 * builds in flight are recorded by stage position. Throws CONFIG_INVALID naming both lists otherwise.
 */
export function adoptSavedState(saved: unknown, stages: StageDef[], retry: RetryPolicy): PipelineState {
  const s = saved as PipelineState;
  if (!s || !Array.isArray(s.slots) || !Array.isArray(s.stages) || typeof s.builds !== 'object') {
    throw new ReleasebotError('STORE_FAILED', 'saved pipeline state is not a pipeline state');
  }
  const savedNames = s.slots.map((sl) => sl.stage);
  const names = stages.map((st) => st.name);
  if (savedNames.join('\n') !== names.join('\n')) {
    throw new ReleasebotError(
      'CONFIG_INVALID',
      `pipeline.stages: the saved pipeline has stages [${savedNames.join(', ')}] but the configuration has [${names.join(', ')}]; ` +
        'finish or drain the builds in flight before changing the stage list, or start with a fresh store',
      { saved: savedNames, configured: names },
    );
  }
  return { ...s, stages: stages.map((st) => ({ ...st, azs: [...st.azs] })), retry: { ...retry }, retrying: s.retrying ?? {} };
}
