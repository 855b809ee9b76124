import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { FieldPath } from '../config/yaml-locate.js';
import { parseStoreUrl } from '../store/create.js';

/**
 * Checks beyond the schema: things a valid file can still get wrong that would only fail once the
 * bot runs (an unknown store scheme, a deploy command that is not there, a Slack id that cannot be
 * one). Each check is its own function returning problems at a field path; `check-config` puts file
 * lines on them. None of them touches the network (see connect-checks.ts for that).
 */
export interface CheckProblem {
  path: FieldPath;
  message: string;
  /** A warning is printed but does not fail the check. */
  warning?: boolean;
}

type Env = Record<string, string | undefined>;

/** `store.url` must name a store releasebot can open (sqlite: or postgres://). */
export function storeUrlProblems(config: Config): CheckProblem[] {
  try {
    parseStoreUrl(config.store.url);
    return [];
  } catch (err) {
    return [{ path: ['store', 'url'], message: (err as Error).message.replace(/^store\.url /, '') }];
  }
}

/** Replicas need a shared PostgreSQL store: SQLite is used by one process only. */
export function replicaProblems(config: Config): CheckProblem[] {
  if (config.replicas.enabled !== true) return [];
  let engine: string;
  try {
    engine = parseStoreUrl(config.store.url).engine;
  } catch {
    return []; // storeUrlProblems reports it
  }
  return engine === 'postgres' ? [] : [{ path: ['replicas', 'enabled'], message: 'true needs a PostgreSQL store (store.url postgres://...); an SQLite store is used by one process only' }];
}

/** Where `command` resolves: itself when it holds a slash, else the first match on PATH. */
export function resolveCommand(command: string, env: Env): string | undefined {
  if (command.includes('/')) return command;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The command deployer's `command` must exist and be executable by this user, as the bot will run
 * it (relative paths resolve against the directory the bot is started from).
 */
export function deployCommandProblems(config: Config, env: Env = process.env): CheckProblem[] {
  if (config.deployer.type !== 'command') return [];
  const { command } = config.deployer;
  const path: FieldPath = ['deployer', 'command'];
  const resolved = resolveCommand(command, env);
  if (!resolved) return [{ path, message: `"${command}" is not on PATH (${env.PATH ? 'searched PATH' : 'PATH is not set'}); give its full path` }];
  let stat;
  try {
    stat = statSync(resolved);
  } catch {
    const where = isAbsolute(resolved) ? resolved : `${resolved} (relative to ${process.cwd()})`;
    return [{ path, message: `${where} does not exist` }];
  }
  if (!stat.isFile()) return [{ path, message: `${resolved} is not a file` }];
  if (!isExecutableFile(resolved)) return [{ path, message: `${resolved} is not executable by this user (chmod +x ${resolved})` }];
  return [];
}

/** A channel: `#name` (lower-case letters, digits, - and _; at most 80) or an id such as C0123ABCD. */
const CHANNEL = /^(#[a-z0-9][a-z0-9_-]{0,79}|[CGD][A-Z0-9]{8,})$/;
const USER_ID = /^[UW][A-Z0-9]{8,}$/;
const GROUP_ID = /^S[A-Z0-9]{8,}$/;

/** Slack channels, user ids and user-group ids must have Slack's shapes: a typo here fails only when a message is sent. */
export function slackIdProblems(config: Config): CheckProblem[] {
  const slack = config.notify.slack;
  if (!slack) return [];
  const out: CheckProblem[] = [];
  const channels: Array<['deploysChannel' | 'teamChannel', string | undefined]> = [['deploysChannel', slack.deploysChannel], ['teamChannel', slack.teamChannel]];
  for (const [field, value] of channels) {
    if (value !== undefined && !CHANNEL.test(value)) {
      out.push({ path: ['notify', 'slack', field], message: `"${value}" is not a Slack channel: use #name (lower case, no spaces) or a channel id such as C0123ABCD` });
    }
  }
  slack.allowedUsers.forEach((u, i) => {
    if (!USER_ID.test(u)) out.push({ path: ['notify', 'slack', 'allowedUsers', i], message: `"${u}" is not a Slack user id (U or W followed by capitals and digits, e.g. U0123ABCD)` });
  });
  slack.allowedGroups.forEach((g, i) => {
    if (!GROUP_ID.test(g)) out.push({ path: ['notify', 'slack', 'allowedGroups', i], message: `"${g}" is not a Slack user-group id (S followed by capitals and digits, e.g. S0123ABCD)` });
  });
  return out;
}

/** Every start-up check; check-config runs these after the schema has passed. */
export function startupProblems(config: Config, env: Env = process.env): CheckProblem[] {
  return [...storeUrlProblems(config), ...replicaProblems(config), ...deployCommandProblems(config, env), ...slackIdProblems(config)];
}
