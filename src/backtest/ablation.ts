/**
 * Ablation of the default detector on a NAB-layout directory: the dev-subset score with each part
 * removed. Run: `npx tsx src/backtest/ablation.ts --data /work/shared/data/nab-dev`.
 */
import { runNabBacktest, defaultNabParams } from './nab-backtest.js';
import { StreamingDetector, type DefaultParams } from '../detect/streaming-detector.js';

/** Each variant changes the default parameters to switch one part off. */
export const VARIANTS: { name: string; change: (p: DefaultParams) => Partial<DefaultParams> }[] = [
  { name: 'default detector (all parts)', change: () => ({}) },
  { name: 'no anomaly likelihood (alarm at z >= 3)', change: () => ({ tailProbability: 1, minZ: 3 }) },
  { name: 'no alarm record (adaptive suppression off)', change: () => ({ recordHalfLife: 0 }) },
  { name: 'no minimum relative change', change: () => ({ minRelativeChange: 0 }) },
  { name: 'no persistence (short window 1)', change: () => ({ shortWindow: 1 }) },
  { name: 'short window 2 (shipped until 2026-11-29)', change: () => ({ shortWindow: 2 }) },
  { name: 'no refractory period', change: () => ({ refractory: 0 }) },
  { name: 'no winsorising (clip off)', change: () => ({ clip: Infinity }) },
  { name: 'no daily seasonal comparison (nor weekly)', change: () => ({ seasonLag: 0 }) },
  { name: 'no weekly seasonal comparison', change: () => ({ weekSlot: 0 }) },
  { name: 'no slow score', change: () => ({ slowWindow: 0 }) },
  { name: 'no relative std floor', change: (p) => ({ guards: { ...p.guards, minRelativeStd: 0 } }) },
  { name: 'seed baseline length (3 h = 36 samples)', change: () => ({ baseline: 36 }) },
];

function main(): void {
  const i = process.argv.indexOf('--data');
  const dataDir = i > 0 ? process.argv[i + 1] : '/work/shared/data/nab-dev';
  const rows: string[] = ['| variant | detected | false alarms | standard | low FP | low FN |', '|---|---|---|---|---|---|'];
  for (const v of VARIANTS) {
    const r = runNabBacktest({
      dataDir,
      factory: (s) => {
        const p = defaultNabParams(s);
        return new StreamingDetector({ ...p, ...v.change(p) });
      },
    });
    const f = (k: string) => (r.profiles[k] ?? NaN).toFixed(1);
    rows.push(`| ${v.name} | ${r.detected}/${r.windows} | ${r.falseAlarmEvents} | ${f('standard')} | ${f('reward_low_FP_rate')} | ${f('reward_low_FN_rate')} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (process.argv[1]?.endsWith('ablation.ts')) main();
