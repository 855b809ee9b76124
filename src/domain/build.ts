/** A pull request that a build carries to production. */
export interface PullRequest {
  number: number;
  title: string;
  url: string;
  authorName: string;
  /** Slack user id (U...) of the author, when known. */
  authorSlackId?: string;
  /** Author e-mail; used to look up the Slack user when no id is given. */
  authorEmail?: string;
  codeOwners: string[];
}

/** A build produced by CI from the main branch. Newer builds contain older builds' commits. */
export interface Build {
  id: string;
  sha: string;
  /** ISO-8601 time CI created the build. */
  createdAt: string;
  ciUrl?: string;
  pullRequests: PullRequest[];
  /** ISO-8601 time the bot accepted the build. */
  receivedAt: string;
}
