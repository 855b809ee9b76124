/**
 * Evidence for the live bench's mistakes: the breaching series around the deploy, read back from
 * Prometheus before it stops (the check's own query, one point per 15 s from 3 minutes before the
 * deploy to a minute after the event opened), so a mistake can be judged from the numbers.
 */
import type { liveReport } from './report.js';

type Report = ReturnType<typeof liveReport>;
interface Check {
  name: string;
  query: string;
}

/** Adds `points` ([seconds from the deploy, value]) to the first two signals of each mistake. */
export async function attachEvidence(report: Report, prometheus: string, checks: Check[]): Promise<void> {
  for (const m of report.mistakes) {
    const contexts = 'signals' in m ? [m] : m.events;
    for (const c of contexts) {
      const deployAt = c.deployAtMs;
      if (!deployAt) continue;
      for (const s of c.signals.slice(0, 2)) {
        const check = checks.find((x) => x.name === s.check);
        if (!check) continue;
        const [tier, az] = s.series.split('/');
        const start = deployAt - 180_000;
        const end = c.openedAtMs + 60_000;
        const q = `${prometheus}/api/v1/query_range?query=${encodeURIComponent(check.query)}&start=${start / 1000}&end=${end / 1000}&step=15`;
        try {
          const body = (await (await fetch(q)).json()) as { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
          const series = body.data.result.find((r) => r.metric.tier === tier && r.metric.az === az);
          Object.assign(s, { points: series?.values.map(([t, v]) => [Math.round(t - deployAt / 1000), Number(Number(v).toPrecision(3))]) ?? [] });
        } catch (err) {
          Object.assign(s, { points: `query failed: ${(err as Error).message}` });
        }
      }
    }
  }
}
