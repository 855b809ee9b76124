import { Counter, Gauge, Registry } from 'prom-client';
import type { PipelineControl } from '../pipeline/control.js';
import type { Store } from '../store/store.js';

/** The bot's own Prometheus metrics, in a registry of their own (no global state shared between instances). */
export interface ServerMetrics {
  registry: Registry;
  buildsReceived: Counter<'result'>;
  actions: Counter<'action' | 'allowed'>;
  sseClients: Gauge;
}

/**
 * Creates the registry. Counters of things the server sees (builds received, actions) are counted
 * as they happen; gauges of pipeline and store state are computed at scrape time, so they are
 * right even after a restart.
 */
export function createServerMetrics(deps: { store: Store; pipeline: PipelineControl }): ServerMetrics {
  const registry = new Registry();
  const buildsReceived = new Counter({
    name: 'releasebot_builds_received_total',
    help: 'Builds posted to /api/builds, by result (created, exists)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const actions = new Counter({
    name: 'releasebot_actions_total',
    help: 'Pipeline actions requested over HTTP, by action and whether they were allowed',
    labelNames: ['action', 'allowed'] as const,
    registers: [registry],
  });
  const sseClients = new Gauge({ name: 'releasebot_ui_stream_clients', help: 'Open server-sent-event streams', registers: [registry] });

  new Gauge({
    name: 'releasebot_decisions',
    help: 'Decisions in the decision log, by kind and actor kind (bot or person)',
    labelNames: ['kind', 'actor'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of await deps.store.listDecisions()) this.inc({ kind: d.kind, actor: d.actor.kind });
    },
  });
  new Gauge({
    name: 'releasebot_pipeline_stage_occupied',
    help: '1 when a build occupies the stage, by stage, environment and phase',
    labelNames: ['stage', 'environment', 'phase'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const s = deps.pipeline.snapshot();
      s.slots.forEach((slot, i) => {
        const env = s.stages[i]?.environment ?? 'unknown';
        this.set({ stage: slot.stage, environment: env, phase: slot.phase }, slot.buildId ? 1 : 0);
      });
    },
  });
  new Gauge({
    name: 'releasebot_pipeline_queue_length',
    help: 'Builds waiting to enter the first stage',
    registers: [registry],
    collect() {
      this.set(deps.pipeline.snapshot().queue.length);
    },
  });
  new Gauge({
    name: 'releasebot_pipeline_held',
    help: '1 when the pipeline is held or stopped',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const hold = deps.pipeline.snapshot().hold;
      this.set({ kind: 'hold' }, hold?.kind === 'hold' ? 1 : 0);
      this.set({ kind: 'stop' }, hold?.kind === 'stop' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'releasebot_events_open',
    help: 'Open deploy events, by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const e of await deps.store.listEvents({ status: 'open' })) this.inc({ severity: e.severity });
    },
  });
  return { registry, buildsReceived, actions, sseClients };
}
