// Shared page parts: the status strip, stage health badges, rollback controls, verdict tables.
import { fmtActor, fmtTime, getJson, h, rollbackButton, severityBadge, timeEl } from './common.js';

/** Icon per health state; always next to the words, never instead of them. */
const HEALTH_ICON = {
  idle: '○', deploying: '➜', healthy: '✓', watching: '◔', signal: '◆', blocked: '✕', rolling_back: '↺', failed: '✕', held: '‖',
};

/** A stage's health: icon, words, colour (by class), and a link to what blocks it. */
export function healthLine(health) {
  const label = health.href ? h('a', { href: health.href }, health.label) : health.label;
  return h('div', { class: `health health-${health.state}`, 'data-health': health.state },
    h('span', { class: 'health-icon', 'aria-hidden': 'true' }, HEALTH_ICON[health.state] ?? '•'), ' ',
    health.severity && ['signal', 'blocked'].includes(health.state) ? [severityBadge(health.severity), ' '] : '',
    h('strong', {}, label));
}

function countsText(bySeverity) {
  const parts = Object.entries(bySeverity).filter(([, n]) => n > 0).reverse().map(([sev, n]) => `${n} ${sev}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** The status strip: open events by severity, the hold or stop and who set it, rollbacks in the last hour, and the banner. */
export function renderStrip(strip) {
  const ev = strip.openEvents;
  const evItem = h('li', { 'data-strip': 'events', 'data-count': ev.total },
    h('span', { class: `strip-n ${ev.total ? 'bad' : 'ok'}` }, String(ev.total)), ` open event${ev.total === 1 ? '' : 's'}${countsText(ev.bySeverity)}`,
    ev.items.length ? [': ', ...ev.items.slice(0, 3).flatMap((e, i) => [i ? ', ' : '', h('a', { href: `/events/${encodeURIComponent(e.id)}` }, `${e.severity} on ${e.buildId} in ${e.stage}`)])] : '');
  const holdItem = h('li', { 'data-strip': 'hold' }, strip.hold
    ? [h('strong', {}, strip.hold.kind === 'stop' ? 'Stopped' : 'Held'), ` by ${strip.hold.by} since `, timeEl(strip.hold.at), `: ${strip.hold.reason}`]
    : 'No hold or stop');
  const rb = strip.rollbacksLastHour;
  const rbItem = h('li', { 'data-strip': 'rollbacks', 'data-count': rb.length },
    h('span', { class: `strip-n ${rb.length ? 'bad' : 'ok'}` }, String(rb.length)), ` rollback${rb.length === 1 ? '' : 's'} in the last hour`,
    rb.length ? [': ', ...rb.slice(0, 3).flatMap((r, i) => [i ? ', ' : '', h('a', { href: `/builds/${encodeURIComponent(r.buildId)}` }, r.buildId), ` by ${r.by}`])] : '');
  const b = strip.banner;
  const bannerEl = h('p', { class: `banner tone-${b.tone}`, id: 'banner', 'data-tone': b.tone },
    h('span', { 'aria-hidden': 'true' }, b.tone === 'ok' ? '✓ ' : b.tone === 'warn' ? '◆ ' : '✕ '),
    b.href ? h('a', { href: b.href }, b.text) : b.text);
  return [h('ul', { class: 'strip-items' }, evItem, holdItem, rbItem), bannerEl];
}

let stripTimer = null;
/** Draws the strip into #strip now and every 10 s (the board also redraws it from its live stream). */
export function startStrip() {
  const el = document.getElementById('strip');
  if (!el || stripTimer) return;
  const load = async () => {
    try {
      showStrip(await getJson('/api/status'));
    } catch {
      // The page itself reports load errors; a missing strip must not break it.
    }
  };
  void load();
  stripTimer = setInterval(load, 10_000);
}

/** Replaces the strip's content. */
export function showStrip(strip) {
  document.getElementById('strip')?.replaceChildren(...renderStrip(strip));
}

/**
 * Rollback controls for a build: the suspect build (an open event blames it) gets a prominent button;
 * others get it behind a "More actions" menu; builds already rolled back or tainted get none.
 */
export function rollbackControl(buildId, { suspect, status, reasonInput }) {
  if (status === 'rolled_back' || status === 'tainted') return h('span', { class: 'muted' }, `${buildId} ${status === 'tainted' ? 'will not ship' : 'is rolled back'}: nothing to roll back.`);
  if (suspect) return rollbackButton(buildId, reasonInput, true);
  return h('details', { class: 'menu' }, h('summary', {}, 'More actions'), rollbackButton(buildId, reasonInput));
}

function num(x) {
  if (x === undefined || x === null || !isFinite(x)) return '—';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : String(Number(x.toFixed(3)));
}

/** "4.2 vs 1.0 (4.2x)". */
export function valueVsUsual(value, usual) {
  if (value === undefined) return '—';
  if (usual === undefined) return num(value);
  const ratio = usual > 0 ? ` (${num(value / usual)}x)` : '';
  return `${num(value)} vs ${num(usual)}${ratio}`;
}

/** The rule in force in words: "|z| ≥ 3 (now 9.1)", "static limit 800", "anomaly score ≥ 1". */
function thresholdText(r) {
  switch (r.rule) {
    case 'zscore': return `|z| ≥ ${num(r.threshold)}${r.z === undefined ? '' : ` (now ${num(r.z)})`}`;
    case 'default': return `anomaly score ≥ ${num(r.threshold)}${r.z === undefined ? '' : ` (z ${num(r.z)})`}`;
    default: return `${r.rule} limit ${num(r.threshold)}`;
  }
}

/** The per-check verdict table of an event: check, scope, verdict, value vs usual, threshold in force, samples. */
export function verdictTable(rows, caption = 'Verdict per check') {
  if (!rows?.length) return h('p', { class: 'muted' }, 'No verdicts recorded.');
  return wrap(h('table', { class: 'verdicts' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['Check', 'Scope', 'Verdict', 'Value vs usual', 'Threshold in force', 'Samples', 'Since'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', { 'data-check': r.check },
      h('th', { scope: 'row' }, r.check),
      h('td', {}, r.scope, r.reference ? h('div', { class: 'muted' }, `rest of the fleet: ${r.reference.breaching} of ${r.reference.series} breaching`) : ''),
      h('td', {}, h('span', { class: `badge verdict-${r.verdict}` }, r.verdict), ` ${r.series} series`),
      h('td', {}, valueVsUsual(r.value, r.usual)),
      h('td', {}, thresholdText(r)),
      h('td', {}, r.samples === undefined ? '—' : String(r.samples)),
      h('td', {}, timeEl(r.since)))))));
}

/** The promotion gate's evidence per check (stored with each promotion). */
export function gateTable(gate) {
  return wrap(h('table', { class: 'gate' },
    h('caption', {}, `Gate in ${gate.stage}: `, h('span', { class: `badge verdict-${gate.verdict}` }, gate.verdict), ` at `, timeEl(gate.evaluatedAt), ` — ${gate.reason}`),
    h('thead', {}, h('tr', {}, ['Check', 'Verdict', 'In-scope series', 'Samples since deploy', 'Newest sample age', 'z / threshold', 'Why'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, gate.checks.map((c) => h('tr', { 'data-check': c.check },
      h('th', { scope: 'row' }, c.check),
      h('td', {}, h('span', { class: `badge verdict-${c.verdict}` }, c.verdict)),
      h('td', {}, `${c.freshSeries} fresh of ${c.inScopeSeries}`),
      h('td', {}, String(c.samplesSinceDeploy)),
      h('td', {}, c.newestSampleAgeMs === null ? 'no samples' : `${Math.round(c.newestSampleAgeMs / 1000)}s (limit ${Math.round(c.stalenessBoundMs / 1000)}s)`),
      h('td', {}, c.z === undefined ? '—' : `${num(c.z)} / ${num(c.threshold)}`),
      h('td', {}, c.reason))))));
}

/**
 * Puts a wide table in a horizontally scrolling box, so the page itself never overflows on a phone.
 * The box is a named region (keyboard users can focus and scroll it), named after the table's caption.
 */
export function wrap(table) {
  const caption = table.querySelector('caption')?.textContent?.trim();
  if (!caption) throw new Error('wrap(): every wrapped table needs a caption (it names the scrolling region)');
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, table);
}

export { fmtActor, fmtTime };
