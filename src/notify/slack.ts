import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { SlackConfig } from '../config/schema.js';
import type { Build, PullRequest } from '../domain/build.js';
import type { DeployEvent } from '../domain/events.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../clock/clock.js';
import { eventHeadline } from './event-headline.js';
import { loadEventContext } from './event-message-state.js';
import type { Notification, Notifier } from './notification.js';
import {
  MAX_SIGNAL_LINES,
  authorKey,
  renderDmParent,
  renderDmStep,
  renderEventMessage,
  renderShadow,
  renderSignalReply,
  signalKey,
  type DeployPhase,
} from './slack-blocks.js';

/** KV namespaces the Slack notifier keeps its message references in. */
export const SLACK_KV = {
  /** event id -> {channel, ts, updatedAt, closed}: the event's parent message. */
  event: 'slack-event',
  /** `${eventId}:${signalKey}` -> "1": signals already shown (in the parent or the thread). */
  eventSignal: 'slack-event-signal',
  /** `${buildId}:${author}` -> {channel, ts}: the DM thread of one author for one build. */
  dm: 'slack-dm',
  /** `${notification key}:${author}` -> "1": this step already went into that author's thread. */
  dmStep: 'slack-dm-step',
} as const;

/**
 * Builds the Slack Web API client. Its own retries are off and rate-limited calls reject,
 * so the outbox alone decides when to retry (and a 429 never stalls the client's queue).
 */
export function createSlackClient(cfg: Pick<SlackConfig, 'token' | 'apiUrl'>, extra: WebClientOptions = {}): WebClient {
  // The client concatenates base URL and method name, so the base must end with a slash.
  const slackApiUrl = cfg.apiUrl.endsWith('/') ? cfg.apiUrl : `${cfg.apiUrl}/`;
  return new WebClient(cfg.token, {
    slackApiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
    logLevel: LogLevel.ERROR,
    ...extra,
  });
}

export interface SlackNotifierOptions {
  client: WebClient;
  store: Store;
  deploysChannel: string;
  /** Shadow-mode messages and bot health; without it those are skipped. */
  teamChannel?: string;
  log?: (line: string) => void;
  /** Wall clock for the lookup cache's expiry; without it a miss is remembered until restart. */
  clock?: Clock;
}

/** How long an e-mail with no Slack account is remembered before it is looked up again. */
export const UNKNOWN_AUTHOR_TTL_MS = 6 * 3600_000;

interface MessageRef {
  channel: string;
  ts: string;
  updatedAt?: number;
  closed?: boolean;
}

/**
 * Slack: one message per event in the deploys channel (updated as it changes, new signals threaded),
 * one DM thread per PR author per build, and team-channel notes. Message references live in the
 * store's KV, so a restart (or an outbox retry) continues the same threads instead of starting new ones.
 */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  /** e-mail -> Slack user id (or null: no account, looked up at `at`). */
  private readonly users = new Map<string, { id: string | null; at: number }>();
  constructor(private readonly o: SlackNotifierOptions) {}

  accepts(n: Notification): boolean {
    switch (n.type) {
      case 'event':
        return n.shadow ? this.o.teamChannel !== undefined : true;
      case 'deploy_progress':
        return true;
      case 'team':
        return this.o.teamChannel !== undefined;
      case 'page':
        return false;
    }
  }

  async post(n: Notification): Promise<void> {
    if (!this.accepts(n)) return;
    switch (n.type) {
      case 'event':
        return n.refresh ? this.refreshEvent(n.event) : this.postEvent(n.event, n.shadow, n.wouldDo);
      case 'deploy_progress':
        return this.postProgress(n);
      case 'team':
        await this.o.client.chat.postMessage({ channel: this.o.teamChannel!, text: n.text, unfurl_links: false });
        return;
      case 'page':
        return;
    }
  }

  /**
   * Re-renders an event's posted message with the pipeline's current state (who rolled back, held,
   * stopped or resumed), reading the event afresh so a refresh never shows older signals.
   */
  private async refreshEvent(given: DeployEvent): Promise<void> {
    const ref = await this.getRef(SLACK_KV.event, given.id);
    // Nothing was posted (yet, or in shadow mode): a refresh never starts a message of its own.
    if (!ref || ref.channel === this.o.teamChannel) return;
    const e = (await this.o.store.getEvent(given.id)) ?? given;
    const msg = renderEventMessage(e, await loadEventContext(this.o.store, e));
    await this.o.client.chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks });
    await this.o.store.setKv(SLACK_KV.event, e.id, JSON.stringify({ ...ref, updatedAt: Math.max(ref.updatedAt ?? -Infinity, e.updatedAt) }));
  }

  private async postEvent(e: DeployEvent, shadow: boolean, wouldDo: string | undefined): Promise<void> {
    const { client, store } = this.o;
    const msg = shadow ? renderShadow(e, wouldDo) : renderEventMessage(e, await loadEventContext(store, e));
    const ref = await this.getRef(SLACK_KV.event, e.id);
    if (!ref) {
      const channel = shadow ? this.o.teamChannel! : this.o.deploysChannel;
      const res = await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, unfurl_links: false });
      // Stored right after Slack accepted it: a crash in between is the (documented) at-least-once window.
      const posted: MessageRef = { channel: String(res.channel ?? channel), ts: String(res.ts), updatedAt: e.updatedAt, closed: e.status === 'closed' };
      await store.setKv(SLACK_KV.event, e.id, JSON.stringify(posted));
      // The parent lists its first signals itself; only the rest go into the thread.
      for (const s of e.signals.slice(0, MAX_SIGNAL_LINES)) await store.setKv(SLACK_KV.eventSignal, `${e.id}:${signalKey(s)}`, '1');
      await this.threadNewSignals(e, posted);
      return;
    }
    // A retried older revision arriving after a newer one must not turn the parent back.
    if ((ref.updatedAt ?? -Infinity) <= e.updatedAt) {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: msg.text, blocks: msg.blocks });
      await store.setKv(SLACK_KV.event, e.id, JSON.stringify({ ...ref, updatedAt: e.updatedAt }));
    }
    await this.threadNewSignals(e, ref);
    if (e.status === 'closed' && !ref.closed) {
      await client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: `:large_green_circle: Resolved: ${eventHeadline(e)}` });
      const latest = (await this.getRef(SLACK_KV.event, e.id)) ?? ref;
      await store.setKv(SLACK_KV.event, e.id, JSON.stringify({ ...latest, closed: true }));
    }
  }

  /** Replies in the event's thread once per signal not shown before; each is recorded as soon as it is posted. */
  private async threadNewSignals(e: DeployEvent, ref: MessageRef): Promise<void> {
    for (const s of e.signals) {
      const k = `${e.id}:${signalKey(s)}`;
      if (await this.o.store.getKv(SLACK_KV.eventSignal, k)) continue;
      const reply = renderSignalReply(e, s);
      await this.o.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: reply.text, blocks: reply.blocks, unfurl_links: false });
      await this.o.store.setKv(SLACK_KV.eventSignal, k, '1');
    }
  }

  private async postProgress(n: Extract<Notification, { type: 'deploy_progress' }>): Promise<void> {
    const { client, store } = this.o;
    for (const [author, prs] of groupByAuthor(n.build.pullRequests)) {
      const stepKey = `${n.key}:${author}`;
      // A retry after a partial delivery skips the authors who already got this step.
      if (await store.getKv(SLACK_KV.dmStep, stepKey)) continue;
      const line = renderDmStep(n.build, n.phase, n.stage, n.reason);
      const thread = await this.getRef(SLACK_KV.dm, `${n.build.id}:${author}`);
      if (thread) {
        await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: line, unfurl_links: false });
      } else {
        const opened = await this.openDm(n.build, author, prs, n.stage, n.phase, line);
        if (!opened) continue;
      }
      await store.setKv(SLACK_KV.dmStep, stepKey, '1');
    }
  }

  /** First step for this author and build: open the DM and post the parent (which carries that first step). */
  private async openDm(build: Build, author: string, prs: PullRequest[], stage: string, phase: DeployPhase, firstLine: string): Promise<boolean> {
    const user = await this.resolveUser(prs[0]);
    if (!user) return false;
    const conv = await this.o.client.conversations.open({ users: user });
    const channel = conv.channel?.id;
    if (!channel) throw new Error(`conversations.open for ${user} returned no channel`);
    const res = await this.o.client.chat.postMessage({ channel, text: `${renderDmParent(build, prs, stage, phase)}\n${firstLine}`, unfurl_links: false });
    await this.o.store.setKv(SLACK_KV.dm, `${build.id}:${author}`, JSON.stringify({ channel, ts: String(res.ts) }));
    return true;
  }

  /**
   * The author's Slack id: given, or looked up by e-mail once. Both answers are cached, so an author
   * without a Slack account costs one lookup per build's worth of steps, not one per step.
   */
  private async resolveUser(pr: PullRequest): Promise<string | undefined> {
    if (pr.authorSlackId) return pr.authorSlackId;
    const email = pr.authorEmail!;
    const now = this.o.clock?.now() ?? 0;
    const cached = this.users.get(email);
    if (cached && (cached.id !== null || !this.o.clock || now - cached.at < UNKNOWN_AUTHOR_TTL_MS)) return cached.id ?? undefined;
    try {
      const res = await this.o.client.users.lookupByEmail({ email });
      const id = res.user?.id ?? null;
      this.users.set(email, { id, at: now });
      return id ?? undefined;
    } catch (err) {
      // An author without a Slack account must not hold up the other authors' DMs.
      if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') {
        this.o.log?.(`slack: no Slack user for ${email}; skipping their DMs`);
        this.users.set(email, { id: null, at: now });
        return undefined;
      }
      throw err;
    }
  }

  private async getRef(ns: string, key: string): Promise<MessageRef | undefined> {
    const raw = await this.o.store.getKv(ns, key);
    return raw ? (JSON.parse(raw) as MessageRef) : undefined;
  }
}

/** PRs grouped by author (Slack id or e-mail), in first-seen order; authors with neither are left out. */
export function groupByAuthor(prs: PullRequest[]): Map<string, PullRequest[]> {
  const out = new Map<string, PullRequest[]>();
  for (const pr of prs) {
    const k = authorKey(pr);
    if (!k) continue;
    out.set(k, [...(out.get(k) ?? []), pr]);
  }
  return out;
}
