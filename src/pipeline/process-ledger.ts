import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock/clock.js';

/** One deploy process as recorded when it was spawned. */
interface ProcessRecord {
  key: string;
  /** Leader of the step's process group (the command runs detached). */
  pid: number;
  /** Its start time in clock ticks since boot (/proc), so a reused pid is not mistaken for it. */
  startTicks: string | null;
  /** When its timeout ends (ms, the ledger's clock). */
  deadline: number;
  /** The bot process that spawned it. */
  owner: number;
}

export interface ProcessLedgerOptions {
  /** Directory of the records (one small JSON file per running key). Local to the host, like the processes. */
  dir: string;
  /** Wall clock: timeouts of orphans are real time. */
  clock: Clock;
  /** How often to look at an orphan we wait for. Default 200 ms. */
  pollMs?: number;
  log?: (line: string) => void;
}

/**
 * Supervises deploy processes across bot crashes. Every command step is recorded (pid, start time,
 * deadline) while it runs. A restarted bot that is about to run a key first waits for a process from
 * the previous run that still runs that key, and kills it when its timeout passes: never two
 * processes for one key at once, and an orphan's timeout still applies. `adoptOrphans` enforces the
 * timeouts of orphans whose keys are not run again (e.g. cancelled by a rollback meanwhile).
 */
export class ProcessLedger {
  constructor(private readonly opts: ProcessLedgerOptions) {
    mkdirSync(opts.dir, { recursive: true });
  }

  /** Record a spawned step process (synchronously: the record exists before anything can crash). */
  spawned(key: string, pid: number, timeoutSeconds: number): void {
    const rec: ProcessRecord = { key, pid, startTicks: startTicks(pid), deadline: this.opts.clock.now() + timeoutSeconds * 1000, owner: process.pid };
    writeFileSync(this.file(key), JSON.stringify(rec));
  }

  /** The step process ended (its group was reaped or killed). */
  exited(key: string, pid: number): void {
    const rec = this.read(this.file(key));
    if (rec?.pid === pid) rmQuiet(this.file(key));
  }

  /** Resolves once no recorded process still runs `key`, killing it at its deadline. */
  async clear(key: string): Promise<void> {
    const file = this.file(key);
    for (let rec = this.read(file); rec; rec = this.read(file)) {
      if (!alive(rec)) {
        rmQuiet(file);
        return;
      }
      if (this.opts.clock.now() >= rec.deadline) this.kill(rec, 'its timeout passed');
      else this.opts.log?.(`deploy ${key}: waiting for pid ${rec.pid} from an earlier run, which still runs it`);
      await this.opts.clock.sleep(this.opts.pollMs ?? 200);
    }
  }

  /** Watch every recorded process whose bot is gone until it exits, killing it at its deadline. Background; returns at once. */
  adoptOrphans(): void {
    for (const name of readdirSync(this.opts.dir)) {
      const rec = this.read(join(this.opts.dir, name));
      if (!rec || rec.owner === process.pid || alivePid(rec.owner)) continue;
      this.opts.log?.(`deploy ${rec.key}: pid ${rec.pid} outlived the bot that started it; enforcing its timeout`);
      void this.clear(rec.key);
    }
  }

  private kill(rec: ProcessRecord, why: string): void {
    this.opts.log?.(`deploy ${rec.key}: killing pid ${rec.pid} from an earlier run (${why})`);
    try {
      process.kill(-rec.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private file(key: string): string {
    return join(this.opts.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  private read(file: string): ProcessRecord | undefined {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
    } catch {
      return undefined;
    }
  }
}

/** Field 22 of /proc/<pid>/stat (start time), or null where /proc is missing or the process is gone. */
function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alivePid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Does the step's process group still run? A live leader must be the same process (not a reused pid) and not a zombie. */
function alive(rec: ProcessRecord): boolean {
  let group = false;
  try {
    process.kill(-rec.pid, 0);
    group = true;
  } catch (e) {
    group = (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!group) return false;
  const now = startTicks(rec.pid);
  if (now === null) return true; // the leader is gone but others of its group still run
  if (rec.startTicks !== null && now !== rec.startTicks) return false;
  return !isZombie(rec.pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function rmQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already removed.
  }
}
