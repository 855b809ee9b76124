/**
 * `npx releasebot serve` (and `npm exec`, `npm run`) puts npm and a shell between a signal and the
 * server: npm passes SIGTERM to the shell, the shell dies, and the server would keep running as an
 * orphan. When started by npm, `serve` therefore watches its parent: once it is reparented (the
 * launcher is gone, by SIGTERM or kill -9), it stops as it would on SIGTERM. Outside npm nothing is
 * watched: `nohup releasebot serve &` must survive its shell.
 */
export function watchLauncher(onGone: () => void, env: NodeJS.ProcessEnv = process.env, everyMs = 1000): () => void {
  if (!env.npm_command) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
