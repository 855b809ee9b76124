// Event page: the headline as title, the facts, the per-check verdict table, charts and every signal.
import { getJson, h, initPage, severityBadge, showError, timeEl } from './common.js';
import { renderChart } from './chart.js';
import { rollbackControl, valueVsUsual, verdictTable, wrap } from './widgets.js';

const content = document.getElementById('content');
const id = decodeURIComponent(location.pathname.split('/').pop());

function signalsTable(signals) {
  if (signals.length === 0) return h('p', { class: 'muted' }, 'No signals recorded.');
  return wrap(h('table', {},
    h('caption', {}, 'Every series that breached, with the detector\'s own words'),
    h('thead', {}, h('tr', {}, ['Check', 'Series', 'Scope', 'Since', 'Value vs usual', 'Detector', 'Links'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, signals.map((s) => h('tr', {},
      h('td', {}, s.check),
      h('td', { class: 'mono' }, Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ')),
      h('td', {}, s.inScope ? 'in deploy scope' : 'rest of the fleet'),
      h('td', {}, timeEl(s.firstAt ?? s.at)),
      h('td', {}, valueVsUsual(s.verdict.value, s.verdict.mean)),
      h('td', {}, `${s.verdict.rule}: ${s.verdict.reason}`),
      h('td', {}, s.links?.graph ? h('a', { href: s.links.graph }, 'graph') : '', ' ', s.links?.logs ? h('a', { href: s.links.logs }, 'logs') : ''))))));
}

async function load() {
  try {
    const { event: ev, buildStatus, charts, chartsError } = await getJson(`/api/events/${encodeURIComponent(id)}`);
    // The title says what is wrong; the id stays available in the facts.
    document.getElementById('title').textContent = ev.headline;
    document.title = `${ev.severity} event: ${ev.headline} · releasebot`;
    const facts = h('dl', { class: 'kv' },
      h('dt', {}, 'Severity'), h('dd', {}, severityBadge(ev.severity)),
      h('dt', {}, 'Confidence'), h('dd', {}, `${ev.confidence} that the deploy caused it`),
      h('dt', {}, 'Deploy'), h('dd', {}, h('a', { href: `/builds/${encodeURIComponent(ev.buildId)}` }, ev.buildId), ` in ${ev.stage} (${ev.environment})`),
      h('dt', {}, 'Status'), h('dd', {}, ev.status, ev.closedAt ? [' (closed ', timeEl(ev.closedAt), ')'] : ''),
      h('dt', {}, 'Opened'), h('dd', {}, timeEl(ev.openedAt)),
      h('dt', {}, 'Bot action'), h('dd', {}, (ev.action ?? 'none').replace('_', ' ')),
      ev.acknowledgedBy ? [h('dt', {}, 'Acknowledged by'), h('dd', {}, ev.acknowledgedBy)] : '',
      h('dt', {}, 'Event id'), h('dd', { class: 'mono' }, ev.id),
      h('dt', {}, 'Detector summary'), h('dd', { class: 'muted' }, ev.summary));
    // Rollback only where it makes sense: an open event whose build is not already rolled back.
    const action = ev.status === 'open'
      ? h('p', {}, rollbackControl(ev.buildId, { suspect: true, status: buildStatus }))
      : h('p', { class: 'muted' }, 'This event is closed; nothing to roll back from here.');
    const chartBox = h('div', { id: 'charts' });
    content.replaceChildren(facts, action,
      h('h2', {}, 'Verdict per check'), verdictTable(ev.verdicts, 'Per check and scope: the strongest series, the level it usually has, the threshold in force'),
      h('h2', {}, 'Charts'), chartBox,
      h('h2', {}, 'Signals'), signalsTable(ev.signals));
    if (chartsError) chartBox.append(h('p', { class: 'muted' }, `Charts unavailable: ${chartsError}`));
    for (const c of charts) renderChart(chartBox, c);
  } catch (err) {
    showError(content, err);
  }
}

await initPage('events');
await load();
