// Build page: PRs (titles, authors, code owners, links), CI link, deploy-step waterfall, decisions and why.
import { fmtActor, fmtDuration, fmtTime, getJson, h, initPage, severityBadge, showError, timeEl } from './common.js';
import { gateTable, rollbackControl, verdictTable, wrap } from './widgets.js';

const content = document.getElementById('content');
const id = decodeURIComponent(location.pathname.split('/').pop());

function prTable(prs, from, caption) {
  return wrap(h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['PR', 'Title', 'Author', 'Code owners', ...(from ? ['From build'] : [])].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, prs.map(({ pr, build }) => h('tr', {},
      h('td', {}, h('a', { href: pr.url }, `#${pr.number}`)),
      h('td', {}, pr.title),
      h('td', {}, pr.authorName, pr.authorSlackId ? h('div', { class: 'muted mono' }, pr.authorSlackId) : '', pr.authorEmail ? h('div', { class: 'muted' }, pr.authorEmail) : ''),
      h('td', {}, pr.codeOwners.join(', ') || '—'),
      ...(from ? [h('td', {}, h('a', { href: `/builds/${encodeURIComponent(build)}` }, build))] : []))))));
}

/** The journey as a waterfall: one row per deploy step, a bar placed by start time and sized by duration. */
function waterfall(steps, now) {
  if (steps.length === 0) return h('p', { class: 'muted' }, 'No deploy steps yet.');
  const t0 = Math.min(...steps.map((s) => s.startedAt));
  const t1 = Math.max(...steps.map((s) => s.endedAt ?? now));
  const span = Math.max(1, t1 - t0);
  const pct = (t) => `${((100 * (t - t0)) / span).toFixed(2)}%`;
  return wrap(h('table', { class: 'waterfall' },
    h('caption', {}, `From ${fmtTime(t0)} to ${fmtTime(t1)} (${fmtDuration(t1 - t0)}); gaps between bars are dead time or bake time.`),
    h('thead', {}, h('tr', {}, ['Stage', 'Step', 'Started', 'Duration', 'Outcome', 'Timeline'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, steps.map((s) => {
      const end = s.endedAt ?? now;
      const cls = `wf-bar ${s.kind}${s.outcome === 'failed' ? ' failed' : ''}`;
      return h('tr', { 'data-step': s.key },
        h('td', {}, s.stage),
        h('td', {}, s.kind === 'rollback' ? `rollback to ${s.targetBuildId ?? 'nothing'}` : 'deploy', s.attempts > 1 ? h('div', { class: 'muted' }, `${s.attempts} attempts`) : ''),
        h('td', {}, timeEl(s.startedAt)),
        h('td', {}, s.endedAt === undefined ? `${fmtDuration(end - s.startedAt)} (running)` : fmtDuration(end - s.startedAt)),
        h('td', {}, s.outcome ?? 'in progress', s.error ? h('div', { class: 'muted' }, s.error) : ''),
        h('td', { class: 'bar-cell' }, h('div', { class: 'wf-track', 'aria-hidden': 'true' }, bar(cls, pct(s.startedAt), `calc(${pct(end)} - ${pct(s.startedAt)})`))));
    }))));
}

/** A waterfall bar, placed through CSSOM (the CSP forbids style attributes). */
function bar(cls, left, width) {
  const el = h('div', { class: cls });
  el.style.left = left;
  el.style.width = width;
  return el;
}

function decisionsTable(ds) {
  if (ds.length === 0) return h('p', { class: 'muted' }, 'No decisions yet.');
  return wrap(h('table', {},
    h('caption', {}, 'Every decision about this build, by the bot or a person'),
    h('thead', {}, h('tr', {}, ['When', 'Decision', 'By', 'Stage', 'Why'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ds.map((d) => h('tr', { 'data-decision': d.kind },
      h('td', {}, timeEl(d.at)), h('td', {}, d.kind.replace('_', ' ')), h('td', {}, fmtActor(d.actor)), h('td', {}, d.stage ?? '—'), h('td', {}, d.reason))))));
}

/** Events about this build: the headline once per event, its verdict per check below it. */
function eventsSection(events) {
  if (events.length === 0) return [h('p', { class: 'muted' }, 'No events.')];
  return events.flatMap((e) => [
    h('h3', { 'data-event': e.id }, severityBadge(e.severity), ' ', h('a', { href: `/events/${encodeURIComponent(e.id)}` }, e.headline), h('span', { class: 'muted' }, ` (${e.stage}, ${e.status})`)),
    verdictTable(e.verdicts, `Verdict per check for event ${e.id}`),
  ]);
}

/**
 * The promotion gates' evidence, when the server stores it (`gates` on GET /api/builds/:id);
 * otherwise a note: the verdict tables above come from the events' signals alone.
 */
function gatesSection(gates) {
  if (!Array.isArray(gates)) return [h('p', { class: 'muted' }, 'No promotion-gate records for this build; the verdicts above come from its events.')];
  if (gates.length === 0) return [h('p', { class: 'muted' }, 'No gate has been evaluated for this build yet.')];
  return gates.map(gateTable);
}

async function load() {
  try {
    const r = await getJson(`/api/builds/${encodeURIComponent(id)}`);
    const b = r.build;
    document.getElementById('title').textContent = `Build ${b.id}`;
    const facts = h('dl', { class: 'kv' },
      h('dt', {}, 'Status'), h('dd', {}, h('span', { class: `badge out-${r.state?.status}` }, r.state?.status ?? 'unknown'), r.state?.reason ? ` ${r.state.reason}` : ''),
      h('dt', {}, 'Stage'), h('dd', {}, r.state && r.state.stageIndex >= 0 ? r.stages[r.state.stageIndex]?.name : '—'),
      h('dt', {}, 'Commit'), h('dd', { class: 'mono' }, b.sha),
      h('dt', {}, 'CI'), h('dd', {}, b.ciUrl ? h('a', { href: b.ciUrl }, b.ciUrl) : '—'),
      h('dt', {}, 'Created'), h('dd', {}, timeEl(Date.parse(b.createdAt))),
      h('dt', {}, 'Received'), h('dd', {}, timeEl(Date.parse(b.receivedAt))),
      r.state?.includedIn ? [h('dt', {}, 'Included in'), h('dd', {}, h('a', { href: `/builds/${encodeURIComponent(r.state.includedIn)}` }, r.state.includedIn))] : '');
    const rides = r.includedBuilds.flatMap((ib) => ib.pullRequests.map((pr) => ({ pr, build: ib.id })));
    const suspect = r.events.some((e) => e.status === 'open');
    // replaceChildren takes nodes, not arrays: flatten the optional groups first.
    content.replaceChildren(...[
      facts,
      h('p', {}, rollbackControl(b.id, { suspect, status: r.state?.status })),
      h('h2', {}, `Pull requests (${b.pullRequests.length})`),
      prTable(b.pullRequests.map((pr) => ({ pr, build: b.id })), false, `Pull requests built into ${b.id}`),
      rides.length ? [h('h3', {}, `Riding along from superseded builds (${rides.length})`), prTable(rides, true, `Pull requests ${b.id} carries for the builds it superseded`)] : [],
      h('h2', {}, 'Journey'), waterfall(r.steps, r.now),
      h('h2', {}, `Events (${r.events.length})`), eventsSection(r.events),
      h('h2', {}, 'Promotion gates'), gatesSection(r.gates),
      h('h2', {}, 'Decisions'), decisionsTable(r.decisions),
    ].flat());
  } catch (err) {
    showError(content, err);
  }
}

await initPage('history');
await load();
