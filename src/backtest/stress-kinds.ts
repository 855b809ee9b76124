/**
 * Healthy streams of the kinds the NAB files outside nab-dev hold (known-cause machine metrics,
 * road traffic, social-media counts), generated from their published descriptions only, never
 * from their data: taxi-like demand with a daily and a weekly cycle, a temperature-like gauge that
 * drifts slowly, road speed with rush-hour dips and sensor dropouts, and mention counts with a
 * daily and weekly cycle and frequent small bursts. 5-minute samples (288 a day, 2,016 a week),
 * seeded, deterministic. See docs/detection.md ("Stress").
 */
import { rng, poisson, type StressSeries } from './stress-data.js';

const DAY = 288;
const WEEK = 7 * DAY;

function gaussian(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A bump centred at hour `h0` with width `w` hours (wrapping around midnight). */
function bump(hour: number, h0: number, w: number): number {
  const d = Math.min(Math.abs(hour - h0), 24 - Math.abs(hour - h0));
  return Math.exp(-0.5 * (d / w) ** 2);
}

/** Hour of day (0-24) and whether sample i falls on a weekend (days 5 and 6 of each week). */
function clock(i: number): { hour: number; weekend: boolean } {
  return { hour: ((i % DAY) / DAY) * 24, weekend: Math.floor((i % WEEK) / DAY) >= 5 };
}

/**
 * Demand shape of a city (rides, visits): low at 4-5 h, a morning and an evening peak on
 * weekdays, a late single hump on weekends; in (0.15, 1.1].
 */
function demand(i: number): number {
  const { hour, weekend } = clock(i);
  if (weekend) return 0.25 + 0.55 * bump(hour, 15, 4.5) + 0.3 * bump(hour, 23.5, 2.5);
  return 0.18 + 0.55 * bump(hour, 8.5, 1.5) + 0.75 * bump(hour, 19, 3) + 0.25 * bump(hour, 13, 3);
}

/** The streams of the unseen kinds: `n` samples each (default 16,000, about 8 weeks at 5 minutes). */
export function kindsSuite(seed = 1, n = 16_000): StressSeries[] {
  // Why its own generator: the base suite's streams stay bit-identical whatever is added here.
  const u = rng(seed * 7919 + 17);
  const out: StressSeries[] = [];
  const make = (name: string, kind: 'count' | 'gauge', f: (i: number) => number) => {
    out.push({ name, kind, values: Float64Array.from({ length: n }, (_, i) => f(i)), shifts: [] });
  };
  // Rides per 5 minutes: daily and weekly cycle, slowly wandering demand (weather, events: an
  // AR(1) factor of +-8%) and Poisson counting noise.
  let wander = 0;
  make('taxi-like demand (daily + weekly cycle)', 'count', (i) => {
    wander = 0.98 * wander + 0.016 * gaussian(u);
    return poisson(u, 1200 * demand(i) * Math.exp(wander));
  });
  // A machine's temperature: a slow mean-reverting drift over days (+-3 degrees), a small daily
  // cycle and sensor noise that is correlated from sample to sample.
  let drift = 0;
  let ar = 0;
  make('temperature-like gauge (slow drift, correlated noise)', 'gauge', (i) => {
    drift = 0.999 * drift + 0.13 * gaussian(u);
    ar = 0.9 * ar + 0.25 * gaussian(u);
    return 85 + drift + Math.sin((2 * Math.PI * i) / DAY) + ar;
  });
  // Road speed (mph): free flow ~62, weekday rush-hour dips to ~40, noisy readings, and sensor
  // dropouts (1-12 missing samples, about once a day).
  let gap = 0;
  make('traffic speed (rush-hour dips, dropouts)', 'gauge', (i) => {
    if (gap <= 0 && u() < 1 / DAY) gap = 1 + Math.floor(u() * 12);
    const noise = 3 * gaussian(u);
    if (gap-- > 0) return NaN;
    const { hour, weekend } = clock(i);
    const dip = weekend ? 0.15 * bump(hour, 14, 3) : bump(hour, 8, 1) + 0.9 * bump(hour, 17.5, 1.5);
    return Math.max(0, 62 - 22 * dip + noise);
  });
  // Mentions per 5 minutes: daily and weekly cycle, over-dispersed, small bursts (1.5-3x, decaying
  // over 5-30 samples) about three times a day.
  let heat = 0;
  make('mention counts (daily + weekly cycle, small bursts)', 'count', (i) => {
    if (u() < 3 / DAY) heat += 0.5 + 1.5 * u();
    heat *= 0.9;
    const { weekend } = clock(i);
    const rate = 25 * (0.4 + 0.6 * demand(i)) * (weekend ? 0.8 : 1) * (1 + heat) * Math.exp(0.2 * gaussian(u));
    return poisson(u, rate);
  });
  return out;
}
