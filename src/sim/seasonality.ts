/**
 * Time-of-day and day-of-week shape of the simulated traffic, in UTC. Pure functions of time.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The daily spike: every day at 14:00 UTC for 20 minutes traffic and latency rise (the "2 pm spike"). */
export const DAILY_SPIKE = { startHour: 14, durationMs: 20 * 60_000, traffic: 1.6, latency: 1.35 } as const;

/** Smooth daily cycle around 1: low at 03:00, high at 15:00; weekends somewhat quieter. */
export function dailyLoad(t: number): number {
  const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const daily = 1 + 0.35 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
  // 1970-01-01 was a Thursday: day index 2 and 3 (mod 7) are Saturday and Sunday.
  const dow = Math.floor(t / DAY_MS) % 7;
  const weekend = dow === 2 || dow === 3 ? 0.85 : 1;
  return daily * weekend;
}

/**
 * How far into the daily spike `t` is, 0 (none) to 1 (full): a 2-minute ramp up,
 * a plateau, and a 3-minute ramp down, so the spike looks like real traffic, not a step.
 */
export function spikeLevel(t: number): number {
  const start = DAILY_SPIKE.startHour * HOUR_MS;
  const into = (((t % DAY_MS) + DAY_MS) % DAY_MS) - start;
  if (into < 0 || into >= DAILY_SPIKE.durationMs) return 0;
  const up = 2 * 60_000;
  const down = 3 * 60_000;
  if (into < up) return into / up;
  if (into > DAILY_SPIKE.durationMs - down) return (DAILY_SPIKE.durationMs - into) / down;
  return 1;
}
