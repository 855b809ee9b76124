/**
 * Generators of healthy but awkward metric streams (seeded, deterministic) for stress-testing the
 * default detector's false-alarm rate: heavy tails, Poisson counts at low and high volume, bursty
 * over-dispersed counts with a daily cycle, level shifts and changing variance. "Healthy" means a
 * person would not page for it; see docs/detection.md ("Stress").
 */

import { mulberry32 as rng } from '../sim/noise.js';

export { rng };

function gaussian(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Poisson sample (Knuth below 30, normal approximation above). */
export function poisson(u: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(u)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= u();
  } while (p > l);
  return k - 1;
}

/** Daily cycle factor in [1 - depth, 1 + depth] at sample i (288 samples a day at 5 minutes). */
function daily(i: number, depth: number, perDay = 288): number {
  return 1 + depth * Math.sin((2 * Math.PI * i) / perDay);
}

/** One healthy stream: a name, what it models, and its values. */
export interface StressSeries {
  name: string;
  kind: 'count' | 'gauge';
  values: Float64Array;
  /** Sample indices of deliberate level changes (each may fairly raise one alarm). */
  shifts: number[];
}

/** The stress suite: `n` samples per stream (default 16,000, about 8 weeks at 5 minutes). */
export function stressSuite(seed = 1, n = 16_000): StressSeries[] {
  const u = rng(seed);
  const out: StressSeries[] = [];
  const make = (name: string, kind: 'count' | 'gauge', f: (i: number) => number, shifts: number[] = []) => {
    out.push({ name, kind, values: Float64Array.from({ length: n }, (_, i) => f(i)), shifts });
  };
  make('poisson-low (mean 2/step, daily cycle)', 'count', (i) => poisson(u, 2 * daily(i, 0.5)));
  make('poisson-high (mean 500/step, daily cycle)', 'count', (i) => poisson(u, 500 * daily(i, 0.5)));
  // Over-dispersed counts: a gamma-like rate wobble plus frequent self-exciting bursts (social
  // media, queue consumers): several 1.5-4x bursts a day, 3-20 samples long.
  let burst = 0;
  let gain = 1;
  make('bursty-counts (mean 60/step, bursts 1.5-4x several times a day)', 'count', (i) => {
    if (burst <= 0 && u() < 4 / 288) ((burst = 3 + Math.floor(u() * 18)), (gain = 1.5 + 2.5 * u()));
    const g = burst-- > 0 ? gain : 1;
    return poisson(u, 60 * daily(i, 0.6) * g * Math.exp(0.25 * gaussian(u)));
  });
  make('bursty-counts-high (mean 2000/step)', 'count', (i) => {
    if (burst <= 0 && u() < 3 / 288) ((burst = 3 + Math.floor(u() * 12)), (gain = 1.3 + 1.5 * u()));
    const g = burst-- > 0 ? gain : 1;
    return poisson(u, 2000 * daily(i, 0.6) * g * Math.exp(0.15 * gaussian(u)));
  });
  // Rare but huge spikes (5-15x for 1-3 samples, about twice a day): z far beyond any cap.
  let spike = 0;
  let lift = 1;
  make('spiky-counts (mean 30/step, 5-15x spikes twice a day)', 'count', (i) => {
    if (spike <= 0 && u() < 2 / 288) ((spike = 1 + Math.floor(u() * 3)), (lift = 5 + 10 * u()));
    const g = spike-- > 0 ? lift : 1;
    return poisson(u, 30 * daily(i, 0.5) * g);
  });
  // Student-t with 3 degrees of freedom: occasional 5-10 sigma points with no cause.
  make('heavy-tailed gauge (t3 noise)', 'gauge', () => {
    const t = gaussian(u) / Math.sqrt((gaussian(u) ** 2 + gaussian(u) ** 2 + gaussian(u) ** 2) / 3);
    return 50 + 2 * t;
  });
  const shifts = [4000, 8000, 12000];
  make('level shifts (+-30% every 4000 samples)', 'gauge', (i) => {
    const level = i < 4000 ? 100 : i < 8000 ? 130 : i < 12000 ? 90 : 120;
    return level + 3 * gaussian(u);
  }, shifts);
  const wider = Array.from({ length: Math.floor(n / 4000) }, (_, k) => 2000 + 4000 * k);
  make('changing variance (sigma 1 <-> 4 every 2000 samples)', 'gauge', (i) => 40 + (Math.floor(i / 2000) % 2 ? 4 : 1) * gaussian(u), wider);
  return out;
}
