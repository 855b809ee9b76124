// Events list: open and recent deploy events with severity, confidence, deploy, stage, scope and headline.
import { getJson, h, initPage, severityBadge, showError, timeEl } from './common.js';
import { wrap } from './widgets.js';

const content = document.getElementById('content');

/** "in deploy scope" when any signal came from the part of the fleet running the new build. */
export function scopeOf(ev) {
  const inScope = ev.signals.filter((s) => s.inScope).length;
  const out = ev.signals.length - inScope;
  if (ev.signals.length === 0) return 'no signals';
  if (out === 0) return `in deploy scope (${inScope})`;
  if (inScope === 0) return `outside deploy scope (${out})`;
  return `${inScope} in scope, ${out} outside`;
}

function row(ev) {
  return h('tr', { 'data-event': ev.id },
    h('td', {}, severityBadge(ev.severity)),
    h('td', {}, h('a', { href: `/events/${encodeURIComponent(ev.id)}` }, ev.headline), ev.action && ev.action !== 'none' ? h('div', { class: 'muted' }, `bot action: ${ev.action.replace('_', ' ')}`) : ''),
    h('td', {}, ev.confidence),
    h('td', {}, h('a', { href: `/builds/${encodeURIComponent(ev.buildId)}` }, ev.buildId)),
    h('td', {}, ev.stage, h('div', { class: 'muted' }, ev.environment)),
    h('td', {}, scopeOf(ev)),
    h('td', {}, timeEl(ev.openedAt)));
}

function table(events, caption) {
  if (events.length === 0) return h('p', { class: 'muted' }, `No ${caption.toLowerCase()}.`);
  return wrap(h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['Severity', 'What happened', 'Confidence', 'Deploy', 'Stage', 'Scope', 'Opened'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, events.map(row))));
}

async function load() {
  try {
    const { events } = await getJson('/api/events?limit=200');
    const open = events.filter((e) => e.status === 'open');
    const recent = events.filter((e) => e.status !== 'open');
    content.replaceChildren(h('h2', {}, `Open (${open.length})`), table(open, 'Open events'), h('h2', {}, `Recent (${recent.length})`), table(recent, 'Recent events'));
  } catch (err) {
    showError(content, err);
  }
}

await initPage('events');
await load();
setInterval(load, 10_000);
