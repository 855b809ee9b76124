import type { Build } from '../domain/build.js';
import type { DeployEvent } from '../domain/events.js';

/**
 * What the bot tells people, independent of the channel. Notifiers (Slack, PagerDuty,
 * console) render these. They travel through the persisted outbox, so each has a stable `key`.
 */
export type Notification =
  /** An event opened, escalated, got new signals or closed: one message per event, signals threaded. */
  | {
      type: 'event';
      key: string;
      event: DeployEvent;
      shadow: boolean;
      wouldDo?: string;
      /**
       * Re-render an already posted message because the pipeline changed around the event (a rollback,
       * hold, stop or resume by anyone); never posts a new message. Notifiers without message state ignore it.
       */
      refresh?: boolean;
    }
  /** A step of a deploy that carries the authors' PRs: one DM per author per build, later steps threaded. */
  | {
      type: 'deploy_progress';
      key: string;
      build: Build;
      stage: string;
      phase: 'started' | 'stage_done' | 'reached_production' | 'rolled_back' | 'tainted';
      reason?: string;
      at: number;
    }
  /** Text for the team channel: shadow-mode notes, the bot's own health. */
  | { type: 'team'; key: string; text: string; at: number }
  /** Page a human (PagerDuty trigger / resolve), deduplicated per event. */
  | { type: 'page'; key: string; action: 'trigger' | 'resolve'; dedupKey: string; summary: string; severity: 'critical' | 'error' | 'warning' | 'info'; at: number };

/** Delivers notifications of the kinds it understands; ignores the rest. One method, as Flagger's notifiers. */
export interface Notifier {
  readonly name: string;
  post(n: Notification): Promise<void>;
  /** Whether this notifier wants `n` at all; the outbox enqueues only for notifiers that accept. Default: all. */
  accepts?(n: Notification): boolean;
}
