import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock/clock.js';

export interface SlackAuthorizerOptions {
  slack: WebClient;
  clock: Clock;
  allowedUsers: string[];
  /** Slack user group ids (S...); members may act. */
  allowedGroups: string[];
  /** How long a group's member list is trusted. Default 60 s: short, so removing someone takes effect quickly. */
  cacheMs?: number;
}

/**
 * Decides who may roll back, pause or resume from Slack: listed user ids, or members of listed
 * user groups (`usergroups.users.list`, cached briefly). If Slack cannot be asked, the answer is no.
 */
export class SlackAuthorizer {
  private readonly cache = new Map<string, { at: number; users: Set<string> }>();
  constructor(private readonly o: SlackAuthorizerOptions) {}

  async isAllowed(userId: string): Promise<boolean> {
    if (this.o.allowedUsers.includes(userId)) return true;
    for (const group of this.o.allowedGroups) {
      const members = await this.members(group).catch(() => undefined);
      // Failing closed: an unreachable Slack must not turn into "everyone may roll back".
      if (members?.has(userId)) return true;
    }
    return false;
  }

  private async members(group: string): Promise<Set<string>> {
    const now = this.o.clock.now();
    const hit = this.cache.get(group);
    if (hit && now - hit.at < (this.o.cacheMs ?? 60_000)) return hit.users;
    const res = await this.o.slack.usergroups.users.list({ usergroup: group });
    const users = new Set(res.users ?? []);
    this.cache.set(group, { at: now, users });
    return users;
  }
}
