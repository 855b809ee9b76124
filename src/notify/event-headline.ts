import type { Confidence, DeployEvent, Signal } from '../domain/events.js';

/** The structured facts a headline is made of; the UI shows them too. */
export interface HeadlineFacts {
  /** Check of the strongest in-scope signal, in words ("http error rate"). */
  what: string;
  check: string;
  /** Where: stage plus the series' AZ (or other distinguishing label) when it has one. */
  where: string;
  /** Latest value, its usual level (baseline mean) and value / usual when both are usable. */
  value?: number;
  usual?: number;
  ratio?: number;
  threshold?: number;
  /** When the series first breached in this event, and whether that was after the deploy reached the stage. */
  since: number;
  afterDeploy: boolean;
  /** Other in-scope series breaching besides the strongest. */
  moreSeries: number;
  /** The rest of the fleet (reference series of the same check): how many, how many breach too. */
  reference?: { series: number; breaching: number };
  confidence: Confidence;
}

/** "http_error_rate" -> "http error rate"; the check name is all a headline knows of what it measures. */
export function checkWords(check: string): string {
  return check.replace(/[_.:-]+/g, ' ').trim();
}

function fmt(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return String(Math.round(x));
  if (a >= 10) return x.toFixed(1).replace(/\.0$/, '');
  return String(Number(x.toPrecision(2)));
}

/** How far from normal a signal is: value/usual when the baseline is positive, else |z|. Used to pick the headline's signal. */
function strength(s: Signal): number {
  const { value, mean, z } = s.verdict;
  if (value !== undefined && mean !== undefined && mean > 0 && Number.isFinite(value)) return Math.max(value / mean, mean / Math.max(value, 1e-9));
  return Math.abs(z ?? 0);
}

/** One series of one check: its labels, in a stable order. */
export function seriesKey(s: Signal): string {
  return `${s.check}{${Object.keys(s.labels).sort().map((k) => `${k}=${s.labels[k]}`).join(',')}}`;
}

const LOCATION_LABELS = ['az', 'zone', 'region', 'instance', 'pod'];

/** Facts for the headline, or undefined for an event without signals. Pure. */
export function headlineFacts(e: DeployEvent): HeadlineFacts | undefined {
  const pool = e.signals.filter((s) => s.inScope);
  const candidates = pool.length ? pool : e.signals;
  if (candidates.length === 0) return undefined;
  const top = candidates.reduce((a, b) => (strength(b) > strength(a) ? b : a));
  const loc = LOCATION_LABELS.map((k) => top.labels[k]).find((v) => v !== undefined);
  const since = top.firstAt ?? top.at;
  const f: HeadlineFacts = {
    what: checkWords(top.check),
    check: top.check,
    where: loc ? `${e.stage} ${loc}` : e.stage,
    since,
    afterDeploy: e.deployAt !== undefined && since >= e.deployAt,
    // Series, not signals: one series can breach under two rules (a z-score and a threshold).
    moreSeries: new Set(candidates.map(seriesKey)).size - 1,
    confidence: e.confidence,
  };
  const { value, mean, threshold } = top.verdict;
  if (value !== undefined && Number.isFinite(value)) f.value = value;
  if (mean !== undefined && Number.isFinite(mean)) f.usual = mean;
  if (f.value !== undefined && f.usual !== undefined && f.usual > 0 && Number.isFinite(f.value / f.usual)) f.ratio = f.value / f.usual;
  if (threshold !== undefined && Number.isFinite(threshold) && top.verdict.rule !== 'zscore') f.threshold = threshold;
  if (top.reference) f.reference = top.reference;
  return f;
}

const VERDICT: Record<Confidence, string> = {
  high: 'the deploy very likely caused it',
  medium: 'the deploy may have caused it',
  low: 'it is probably not the deploy',
};

function howMuch(f: HeadlineFacts): string {
  if (f.ratio !== undefined && f.ratio >= 1) return `is ${fmt(f.ratio)}x its usual level`;
  if (f.ratio !== undefined) return `is down to ${Math.round(f.ratio * 100)}% of its usual level`;
  if (f.threshold !== undefined && f.value !== undefined) return `is at ${fmt(f.value)}, past the limit of ${fmt(f.threshold)}`;
  if (f.value !== undefined && f.usual !== undefined) return `is at ${fmt(f.value)} (usually ${fmt(f.usual)})`;
  return 'is outside its usual range';
}

function fleet(f: HeadlineFacts): string {
  const more = f.moreSeries > 0 ? `${f.moreSeries} more series in the deploy's scope too` : undefined;
  const r = f.reference;
  let rest: string | undefined;
  if (r && r.series > 0) rest = r.breaching === 0 ? `the other ${r.series} series are normal` : `${r.breaching} of the other ${r.series} series show it too`;
  else if (r) rest = 'there is no other series to compare with';
  return [more, rest].filter(Boolean).join('; ');
}

/**
 * One sentence for an event, built from its signals' structured fields (never by parsing reason text):
 * what changed, where, by how much, since when, compared with the rest of the fleet, and the
 * resulting confidence. "Http error rate in staging az1 is 4.2x its usual level since b1003
 * reached it; the other 23 series are normal: the deploy very likely caused it."
 */
export function eventHeadline(e: DeployEvent): string {
  const f = headlineFacts(e);
  if (!f) return `${e.severity} event on build ${e.buildId} in ${e.stage}, with no signals recorded`;
  const since = f.afterDeploy ? ` since ${e.buildId} reached it` : '';
  const subject = f.what.charAt(0).toUpperCase() + f.what.slice(1);
  const cmp = fleet(f);
  const closed = e.status === 'closed' ? ' (resolved)' : '';
  return `${subject} in ${f.where} ${howMuch(f)}${since}${cmp ? `; ${cmp}` : ''}: ${VERDICT[f.confidence]}${closed}.`;
}

/** "escalated: b3 held at staging for 10 min past its bake" for reasons, pages and messages, or undefined. */
export function escalationText(e: Pick<DeployEvent, 'escalated' | 'buildId' | 'stage'>): string | undefined {
  if (!e.escalated) return undefined;
  const why = e.escalated.evidence ? ` (${e.escalated.evidence})` : '';
  return `escalated: ${e.buildId} held at ${e.stage} for ${Math.round(e.escalated.heldForMs / 60_000)} min past its bake${why}`;
}
