// The last day as a strip: one row per stage with its deploys and rollbacks, events as bands, and
// rollbacks / holds / stops / resumes as marks. Positions are set through CSSOM (the CSP forbids style attributes).
import { fmtDuration, fmtTime, getJson, h } from './common.js';

const MARK_ICON = { rollback: '↺', hold: '‖', stop: '■', resume: '▶' };

function place(el, from, span, start, end) {
  el.style.left = `${((100 * (start - from)) / span).toFixed(3)}%`;
  if (end !== undefined) el.style.width = `max(3px, ${((100 * (end - start)) / span).toFixed(3)}%)`;
  return el;
}

/** Renders a `GET /api/timeline` body. */
export function renderTimeline(t) {
  const span = Math.max(1, t.to - t.from);
  const rows = t.stages.map((stage) => {
    const track = h('div', { class: 'tl-track' });
    for (const e of t.events.filter((x) => x.stage === stage)) {
      // Not links: the grid is hidden from assistive tech (the caption says it in words), so nothing in it may take focus.
      track.append(place(h('span', { class: `tl-event sev-${e.severity}`, title: `${e.severity} event on ${e.buildId}${e.open ? ' (open)' : ''}` }), t.from, span, e.start, e.end));
    }
    for (const s of t.steps.filter((x) => x.stage === stage)) {
      const cls = `tl-step ${s.kind}${s.outcome === 'failed' ? ' failed' : ''}`;
      track.append(place(h('span', { class: cls, title: `${s.kind} ${s.buildId} (${s.outcome}) ${fmtTime(s.start)}` }), t.from, span, s.start, s.end));
    }
    return h('div', { class: 'tl-row', 'data-stage': stage }, h('div', { class: 'tl-label' }, stage), track);
  });
  const marks = h('div', { class: 'tl-track tl-marks' });
  for (const m of t.marks) {
    marks.append(place(h('span', { class: `tl-mark ${m.kind}`, title: `${m.kind}${m.buildId ? ` ${m.buildId}` : ''} by ${m.by} at ${fmtTime(m.at)}: ${m.reason}` }, MARK_ICON[m.kind] ?? '•'), t.from, span, m.at));
  }
  const counts = ['rollback', 'hold', 'stop', 'resume'].map((k) => {
    const n = t.marks.filter((m) => m.kind === k).length;
    return `${n} ${k}${n === 1 ? '' : 's'}`;
  });
  const deploys = t.steps.filter((s) => s.kind === 'deploy').length;
  return h('figure', { class: 'timeline', id: 'timeline', 'data-steps': t.steps.length, 'data-events': t.events.length, 'data-marks': t.marks.length },
    h('div', { class: 'tl-grid', 'aria-hidden': 'true' }, rows, h('div', { class: 'tl-row' }, h('div', { class: 'tl-label' }, 'actions'), marks)),
    h('figcaption', { class: 'muted' },
      `Last ${fmtDuration(span)} (${fmtTime(t.from)} to ${fmtTime(t.to)}): ${deploys} deploy steps, ${t.events.length} events, ${counts.join(', ')}. `,
      'Bars: deploys (blue), rollbacks (red); bands: events by severity; marks: ↺ rollback, ‖ hold, ■ stop, ▶ resume.'));
}

/** Loads the timeline into `box` now and every `everyMs` (0: once). */
export function startTimeline(box, everyMs = 15_000) {
  const load = async () => {
    try {
      box.replaceChildren(renderTimeline(await getJson('/api/timeline?hours=24')));
    } catch (err) {
      box.replaceChildren(h('p', { class: 'muted' }, `Timeline unavailable: ${err.message}`));
    }
  };
  void load();
  if (everyMs > 0) setInterval(load, everyMs);
}
