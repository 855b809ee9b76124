/** Used when the bot itself runs without PATH (rare, e.g. a bare systemd unit). */
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/** What the deploy command's environment is made of. */
export interface DeployEnvSpec {
  /** The bot's own environment, which holds its secrets (API tokens, Slack token and signing secret). */
  parent: NodeJS.ProcessEnv;
  /** `deployer.env`: variables set for the command. */
  env?: Record<string, string>;
  /** `deployer.passEnv`: names of parent variables passed through unchanged. */
  passEnv?: readonly string[];
}

/**
 * The clean environment of a deploy command: PATH and HOME, the variables `passEnv` names (when
 * set), `env`, and last the step's `RELEASEBOT_*` variables (which nothing can override). Nothing
 * else of the bot's environment leaks through, so a deploy script, or anything it runs, never
 * sees the bot's secrets unless the config hands one over by name.
 */
export function deployEnv(spec: DeployEnvSpec, step: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { PATH: spec.parent.PATH ?? FALLBACK_PATH };
  if (spec.parent.HOME !== undefined) out.HOME = spec.parent.HOME;
  for (const name of spec.passEnv ?? []) {
    const v = spec.parent[name];
    if (v !== undefined) out[name] = v;
  }
  Object.assign(out, spec.env ?? {}, step);
  return out;
}
