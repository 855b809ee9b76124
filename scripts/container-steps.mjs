// Runs the Dockerfile's steps without a Docker daemon, so CI checks the image recipe where no
// daemon runs: each stage gets its own directory standing for its file system, COPY copies into
// it, RUN runs the same command in the stage's WORKDIR with the stage's ENV, and at the end the
// runtime stage's ENTRYPOINT + CMD is started as the image would start it. Then it checks what the
// image promises: HEALTHCHECK passes, a build posted over HTTP is kept on the volume across a
// restart, SIGTERM exits 0 and leaves nothing listening, no process runs as root, the production
// node_modules is under 60 MB.
//
//   node scripts/container-steps.mjs [--node-bin DIR] [--modules-from DIR] [--keep]
//
// --node-bin DIR puts DIR (holding `node` and `npm`) first on PATH for every step, so the steps run
// on the image's Node major (CI passes Node 24 from the npm registry's `node@24` package).
// --modules-from DIR: the build stage's `npm ci` step takes DIR/node_modules (hard links) instead of
// installing again, when DIR was installed from the same package-lock.json by the same Node with
// the same --omit flags (CI's Node 24 checkout, so Node 24's node_modules is installed once).
// What cannot be the same without a daemon is said as it happens: `apt-get` steps are skipped
// (this machine has python3, make and g++ already), USER becomes an unprivileged uid here
// (`nobody` when the image's user does not exist), and absolute paths are mapped into the stage
// directory (also in RELEASEBOT_CONFIG and the store URL, which name image paths).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const nodeBin = args.includes('--node-bin') ? resolve(args[args.indexOf('--node-bin') + 1]) : undefined;
const keep = args.includes('--keep');
const modulesFrom = args.includes('--modules-from') ? resolve(args[args.indexOf('--modules-from') + 1]) : undefined;
const SIZE_LIMIT_MB = 60;

const say = (line) => process.stdout.write(`container-steps: ${line}\n`);
function fail(message) {
  process.stderr.write(`container-steps: FAILED: ${message}\n`);
  process.exit(1);
}

/** Dockerfile instructions: continuation lines joined, comments dropped. */
function parseDockerfile(text) {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l);
    if (!m) fail(`cannot parse Dockerfile line: ${l}`);
    return { op: m[1].toUpperCase(), rest: m[2].trim() };
  });
}

/** `${NAME}` and `$NAME` from `vars`. */
function expand(s, vars) {
  return s.replace(/\$\{(\w+)\}|\$(\w+)/g, (all, a, b) => vars[a ?? b] ?? all);
}

/** `A=1 B="two"` pairs of ENV and ARG. */
function pairs(rest) {
  const out = {};
  for (const m of rest.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) out[m[1]] = m[3] ?? m[2];
  return out;
}

/** Splits `--flag=value` options off the front of an instruction. */
function options(rest) {
  const opts = {};
  let tail = rest;
  for (let m = /^--(\w[\w-]*)=(\S+)\s+/.exec(tail); m; m = /^--(\w[\w-]*)=(\S+)\s+/.exec(tail)) {
    opts[m[1]] = m[2];
    tail = tail.slice(m[0].length);
  }
  return { opts, tail };
}

/** The unprivileged uid/gid the runtime runs as here: the image's user if it exists, else nobody. */
function runtimeUser(name) {
  const id = (flag) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  if (id('-u').status === 0) return { name, uid: Number(id('-u').stdout), gid: Number(id('-g').stdout) };
  return { name: `nobody (image user "${name}" does not exist here)`, uid: 65534, gid: 65534 };
}

class Stage {
  constructor(name, image, work) {
    this.name = name;
    this.image = image;
    this.root = join(work, name);
    this.workdir = '/';
    this.env = {};
    this.user = undefined;
    mkdirSync(this.root, { recursive: true });
  }

  /** An absolute image path inside this stage's directory. */
  map(p) {
    return join(this.root, p.startsWith('/') ? p : join(this.workdir, p));
  }
}

/** Runs one RUN step in the stage's WORKDIR with its ENV (and --node-bin first on PATH). */
function runStep(stage, command) {
  if (/^apt-get\b/.test(command)) {
    say(`  skipped (system packages; present on this machine): ${command.slice(0, 80)}`);
    return;
  }
  if (modulesFrom && /^npm ci\b/.test(command) && reuseModules(stage, command)) return;
  const env = { ...process.env, ...stage.env, PATH: [nodeBin, process.env.PATH].filter(Boolean).join(':') };
  const started = Date.now();
  const r = spawnSync('sh', ['-c', command], { cwd: stage.map(stage.workdir), env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`RUN ${command} exited ${r.status}`);
  say(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The --omit flags of an npm command, sorted. */
function omits(command) {
  return [...command.matchAll(/--omit[= ](\w+)/g)].map((m) => m[1]).sort().join(',');
}

/**
 * `npm ci` from --modules-from: hard links to an install of the same lockfile made by the same Node
 * with the same --omit flags (recorded in DIR/.releasebot-install by .ci/run). False (install
 * normally) when anything differs.
 */
function reuseModules(stage, command) {
  const cwd = stage.map(stage.workdir);
  const lock = (dir) => (existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json'), 'utf8') : undefined);
  const marker = join(modulesFrom, '.releasebot-install');
  const node = spawnSync(nodeBin ? join(nodeBin, 'node') : process.execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const want = `node ${node} omit ${omits(command)}`;
  const have = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'nothing recorded';
  if (lock(cwd) === undefined || lock(cwd) !== lock(modulesFrom) || have !== want || !existsSync(join(modulesFrom, 'node_modules'))) {
    say(`  --modules-from ${modulesFrom} does not match (${have}; this step wants ${want}, same package-lock.json): installing`);
    return false;
  }
  const r = spawnSync('cp', ['-al', join(modulesFrom, 'node_modules'), join(cwd, 'node_modules')], { stdio: 'inherit' });
  if (r.status !== 0) fail(`cp -al ${modulesFrom}/node_modules exited ${r.status}`);
  // npm rewrites this file in place when it prunes: a copy, not a link to the other checkout's.
  const hidden = join(cwd, 'node_modules', '.package-lock.json');
  if (existsSync(hidden)) {
    rmSync(hidden);
    cpSync(join(modulesFrom, 'node_modules', '.package-lock.json'), hidden);
  }
  say(`  reused ${modulesFrom}/node_modules (${want}, same package-lock.json) instead of installing again`);
  return true;
}

/** COPY [--from=stage] [--chown=user] SRC... DEST, with Docker's rules for directories and trailing slashes. */
function copyStep(stage, rest, stages, userOf) {
  const { opts, tail } = options(rest);
  const parts = tail.split(/\s+/);
  const dest = parts.pop();
  const from = opts.from ? stages.get(opts.from) : undefined;
  if (opts.from && !from) fail(`COPY --from=${opts.from}: no such stage`);
  for (const src of parts) {
    const source = from ? from.map(src) : join(ROOT, src);
    if (!existsSync(source)) fail(`COPY ${src}: not found in ${from ? `stage ${from.name}` : 'the build context'}`);
    const intoDir = dest.endsWith('/') || parts.length > 1;
    const target = statSync(source).isFile() && intoDir ? join(stage.map(dest), basename(src)) : stage.map(dest);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true, filter: (p) => !p.split('/').includes('.tsbuildinfo') });
    if (opts.chown) chownTree(target, userOf(opts.chown.split(':')[0]));
  }
}

function chownTree(path, user) {
  if (process.getuid?.() !== 0) return;
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), user);
}

function duMb(dir) {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]) / 1024;
}

/** Parses a JSON-array instruction (exec form). */
function execForm(rest, what) {
  try {
    return JSON.parse(rest);
  } catch {
    fail(`${what} must use the exec form ["..."] so signals reach node directly (got: ${rest})`);
  }
}

/** Builds every stage; returns the last one with the image metadata found on the way. */
function build(instructions, work) {
  const stages = new Map();
  const globalArgs = {};
  const users = new Map();
  const userOf = (name) => users.get(name) ?? users.set(name, runtimeUser(name)).get(name);
  let stage;
  for (const { op, rest } of instructions) {
    const vars = { ...globalArgs, ...(stage?.env ?? {}) };
    if (op === 'ARG' && !stage) Object.assign(globalArgs, pairs(rest));
    else if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(expand(rest, vars));
      stage = new Stage(m[2] ?? `stage${stages.size}`, m[1], work);
      stages.set(stage.name, stage);
      say(`stage ${stage.name} (FROM ${stage.image})`);
    } else if (!stage) fail(`${op} before FROM`);
    else if (op === 'ARG' || op === 'ENV') Object.assign(stage.env, Object.fromEntries(Object.entries(pairs(rest)).map(([k, v]) => [k, expand(v, vars)])));
    else if (op === 'WORKDIR') {
      stage.workdir = expand(rest, vars);
      mkdirSync(stage.map(stage.workdir), { recursive: true });
    } else if (op === 'RUN') {
      say(`RUN ${rest}`);
      runStep(stage, expand(rest, vars));
    } else if (op === 'COPY') {
      say(`COPY ${rest}`);
      copyStep(stage, expand(rest, vars), stages, userOf);
    } else if (op === 'USER') stage.user = userOf(rest);
    else if (op === 'VOLUME') stage.volume = rest.replace(/^\["?|"?\]$/g, '');
    else if (op === 'HEALTHCHECK') stage.healthcheck = execForm(options(rest.replace(/^(--\S+\s+)*/, (o) => o)).tail.replace(/^CMD\s+/, ''), 'HEALTHCHECK CMD');
    else if (op === 'ENTRYPOINT') stage.entrypoint = execForm(rest, 'ENTRYPOINT');
    else if (op === 'CMD') stage.cmd = execForm(rest, 'CMD');
    else if (op === 'STOPSIGNAL') stage.stopSignal = rest;
    else if (op !== 'EXPOSE' && op !== 'LABEL') fail(`instruction ${op} is not handled by this script`);
  }
  return stage;
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts the image's ENTRYPOINT + CMD as its USER; resolves once it listens. */
function start(stage, env) {
  const [cmd, ...rest] = [...stage.entrypoint, ...(stage.cmd ?? [])];
  const argv = rest.map((a) => (a.startsWith('/') ? stage.map(a) : a));
  const user = stage.user ?? fail('the runtime stage has no USER: it would run as root');
  const command = cmd === 'node' && nodeBin ? join(nodeBin, 'node') : cmd;
  const child = spawn(command, argv, { cwd: stage.map(stage.workdir), env, uid: user.uid, gid: user.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail(`serve did not start within 60 s:\n${log}`), 60_000);
    const onData = (d) => {
      log += d;
      if (/listening on http/.test(log)) {
        clearTimeout(timer);
        resolve({ child, exited, log: () => log });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(`serve exited ${code} before listening:\n${log}`));
  });
}

function refuses(port) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(false); });
    sock.once('error', () => resolve(true));
  });
}

/** Stops the container as `docker stop` does (STOPSIGNAL) and checks the exit. */
async function stop(run, stage, port) {
  run.child.removeAllListeners('close');
  const signal = stage.stopSignal ?? 'SIGTERM';
  const started = Date.now();
  run.child.kill(signal);
  const code = await Promise.race([new Promise((r) => run.child.on('close', r)), new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
  if (code !== 0) fail(`${signal} did not end serve with exit 0 within docker stop's 10 s (got ${code}):\n${run.log()}`);
  if (!(await refuses(port))) fail(`port ${port} still accepts connections after ${signal}`);
  say(`${signal}: exit 0 after ${Date.now() - started} ms, nothing listening on ${port}`);
}

async function exercise(stage) {
  const port = await freePort();
  const volume = stage.map(stage.volume ?? fail('the runtime stage declares no VOLUME for the SQLite store'));
  const env = {
    PATH: [nodeBin, process.env.PATH].filter(Boolean).join(':'),
    ...stage.env,
    RELEASEBOT_PORT: String(port),
    RELEASEBOT_API_TOKEN: 'container-steps-token',
    RELEASEBOT_UI_PASSWORD: 'container-steps-password',
  };
  // Image paths named in the environment and in the image's configuration, mapped into the stage.
  if (env.RELEASEBOT_CONFIG?.startsWith('/')) env.RELEASEBOT_CONFIG = stage.map(env.RELEASEBOT_CONFIG);
  env.RELEASEBOT_STORE_URL = `sqlite:${join(volume, 'releasebot.db')}`;
  const nm = duMb(stage.map(join(stage.workdir, 'node_modules')));
  say(`runtime node_modules: ${nm.toFixed(1)} MB (limit ${SIZE_LIMIT_MB} MB); image /app: ${duMb(stage.map(stage.workdir)).toFixed(1)} MB`);
  if (nm >= SIZE_LIMIT_MB) fail(`production node_modules is ${nm.toFixed(1)} MB, over ${SIZE_LIMIT_MB} MB`);

  let run = await start(stage, env);
  say(`serve started as ${stage.user.name} on port ${port}`);
  const hc = spawnSync(stage.healthcheck[0] === 'node' && nodeBin ? join(nodeBin, 'node') : stage.healthcheck[0], stage.healthcheck.slice(1), { env, encoding: 'utf8', timeout: 5000 });
  if (hc.status !== 0) fail(`HEALTHCHECK exited ${hc.status}: ${hc.stderr}`);
  say('HEALTHCHECK passed');
  const build = { id: 'b1', sha: 'abc1234', createdAt: '2026-11-29T10:00:00Z', pullRequests: [] };
  const post = await fetch(`http://127.0.0.1:${port}/api/builds`, { method: 'POST', headers: { authorization: `Bearer ${env.RELEASEBOT_API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(build) });
  if (post.status !== 201) fail(`POST /api/builds answered ${post.status}: ${await post.text()}`);
  await stop(run, stage, port);
  if (!existsSync(join(volume, 'releasebot.db'))) fail('no SQLite file on the volume');

  run = await start(stage, env);
  const login = { authorization: `Basic ${Buffer.from(`admin:${env.RELEASEBOT_UI_PASSWORD}`).toString('base64')}` };
  const builds = await fetch(`http://127.0.0.1:${port}/api/builds/b1`, { headers: login });
  if (builds.status !== 200 && builds.status !== 401) fail(`GET /api/builds/b1 after restart answered ${builds.status}`);
  const ui = await fetch(`http://127.0.0.1:${port}/static/app.css`);
  if (ui.status !== 200 && ui.status !== 401 && ui.status !== 303) fail(`the UI's static files are not served: ${ui.status}`);
  const ps = spawnSync('ps', ['-o', 'uid=', '-p', String(run.child.pid)], { encoding: 'utf8' });
  if (Number(ps.stdout.trim()) === 0) fail('serve runs as root');
  await stop(run, stage, port);
  // Read with the image's Node (its node:sqlite): the image has no other SQLite driver.
  const rows = spawnSync(join(nodeBin ?? dirname(process.execPath), 'node'), ['-e', `const {DatabaseSync}=require('node:sqlite');const d=new DatabaseSync(${JSON.stringify(join(volume, 'releasebot.db'))},{readOnly:true});console.log(d.prepare("select count(*) n from builds where id='b1'").get().n)`], { encoding: 'utf8' });
  if (rows.stdout.trim() !== '1') fail(`build b1 is not on the volume after a restart (${rows.stdout}${rows.stderr})`);
  say('build b1 kept on the volume across a restart');
}

const instructions = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
// The image's Node major (ARG NODE_VERSION) is what the steps must run on: the image's SQLite driver is its node:sqlite.
const imageNode = instructions.find((i) => i.op === 'ARG' && /^NODE_VERSION=/.test(i.rest))?.rest.split('=')[1];
const usedNode = spawnSync(nodeBin ? join(nodeBin, 'node') : process.execPath, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
if (imageNode && usedNode.split('.')[0] !== imageNode.split('.')[0]) {
  fail(`the image runs Node ${imageNode} (ARG NODE_VERSION) but these steps would run on Node ${usedNode}: pass --node-bin DIR with a Node ${imageNode} (.ci/node24.sh installs one)`);
}
const work = mkdtempSync(join(tmpdir(), 'rb-container-'));
chmodSync(work, 0o755);
say(`work directory ${work}; node ${spawnSync(nodeBin ? join(nodeBin, "node") : process.execPath, ["--version"], { encoding: "utf8" }).stdout.trim()}`);
const runtime = build(instructions, work);
await exercise(runtime);
if (!keep) rmSync(work, { recursive: true, force: true });
say('OK');
process.exit(0);
