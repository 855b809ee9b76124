// Pipeline board: every stage as a lane per environment, bake progress, queue, hold; live over SSE.
import { act, fmtDuration, fmtTime, getJson, h, initPage, showError } from './common.js';
import { startTimeline } from './timeline.js';
import { healthLine, rollbackControl, showStrip } from './widgets.js';

const content = document.getElementById('content');
const reason = h('input', { type: 'text', id: 'reason', name: 'reason', placeholder: 'Reason (optional)', 'aria-label': 'Reason for the action' });
const live = h('div', { id: 'board' });
let lastView = null;

function actionsPanel() {
  // Stopping halts deploys in flight from taking their next step: it asks first, as a rollback does.
  const ask = { stop: 'Stop all deploys until someone resumes?' };
  const btn = (action, label, cls) =>
    h('button', {
      type: 'button', class: cls, 'data-action': action,
      onclick: () => {
        if (ask[action] && !confirm(ask[action])) return;
        void act(action, reason.value.trim() ? { reason: reason.value.trim() } : {});
      },
    }, label);
  return h('section', { class: 'actions-panel', 'aria-label': 'Pipeline actions' },
    reason, btn('hold', 'Pause promotions'), btn('stop', 'Stop deploys', 'danger'), btn('resume', 'Resume', 'secondary'));
}

/** What the bake line says: time left, or why a baked build has not moved on (never a negative time). */
function bakeLine(view, stage) {
  if (stage.phase !== 'baking' || !stage.bakeUntil) return '';
  const left = stage.bakeUntil - view.now;
  if (left > 0) return h('div', { class: 'meta' }, `${fmtDuration(left)} left`);
  return h('div', { class: 'meta' }, stage.health.state === 'blocked' ? 'bake done; waiting on the block' : 'bake done');
}

function buildCard(view, stage) {
  const id = stage.buildId;
  if (!id) {
    const running = stage.runningBuildId ? h('div', { class: 'meta' }, 'fleet runs ', h('a', { href: `/builds/${encodeURIComponent(stage.runningBuildId)}` }, stage.runningBuildId)) : '';
    return h('div', { class: 'build-card muted' }, 'empty', running);
  }
  const b = view.builds[id] ?? { prCount: 0, pullRequests: [] };
  const progress = stage.bakeProgress === null ? '' : h('label', { class: 'meta' },
    `bake ${Math.round(stage.bakeProgress * 100)}%`,
    h('progress', { max: 100, value: Math.round(stage.bakeProgress * 100), 'aria-label': `Bake progress of ${id} in ${stage.name}` }));
  const blockers = stage.health.blockers ?? [];
  const suspect = view.status.suspects.includes(id);
  return h('div', { class: `build-card${suspect ? ' suspect' : ''}`, 'data-build': id },
    h('div', {}, h('a', { href: `/builds/${encodeURIComponent(id)}` }, h('strong', {}, id)), ' ', h('span', { class: 'badge' }, stage.phase.replace('_', ' '))),
    h('div', { class: 'meta' }, `${b.prCount} PR${b.prCount === 1 ? '' : 's'}`, b.sha ? ` · ${b.sha.slice(0, 7)}` : '', b.includes?.length ? ` · includes ${b.includes.join(', ')}` : ''),
    progress, bakeLine(view, stage),
    stage.health.detail ? h('p', { class: 'health-detail' }, stage.health.detail) : '',
    blockers.length > 1 ? h('ul', { class: 'blocks', 'aria-label': 'Also blocked by' }, blockers.slice(1).map((bl) => h('li', {}, bl.href ? h('a', { href: bl.href }, bl.reason) : bl.reason))) : '',
    rollbackControl(id, { suspect, status: b.status, reasonInput: reason }));
}

function lane(view, stage) {
  return h('article', { class: `lane health-${stage.health.state}`, 'data-stage': stage.name, 'data-health': stage.health.state, 'aria-label': `Stage ${stage.name}: ${stage.health.label}` },
    h('h3', {}, stage.name),
    healthLine(stage.health),
    h('div', { class: 'meta' }, `${stage.tier} · ${stage.percent}% · ${stage.azs.join(', ')} · bake ${fmtDuration(stage.bakeSeconds * 1000)}`),
    buildCard(view, stage));
}

/** Menus a person opened stay open across the live re-renders. */
const openMenus = new Set();
live.addEventListener('toggle', (e) => {
  const id = e.target.closest?.('[data-build]')?.getAttribute('data-build');
  if (id) (e.target.open ? openMenus.add(id) : openMenus.delete(id));
}, true);

function render(view) {
  lastView = view;
  // Keep keyboard focus on the same control across re-renders.
  const focused = document.activeElement;
  const focusKey = live.contains(focused) ? focused.getAttribute('data-build') ?? focused.getAttribute('href') : null;
  showStrip(view.status);
  live.replaceChildren(
    ...view.environments.map((env) => h('section', { class: 'env', 'aria-label': `Environment ${env.name}` },
      h('h2', {}, `Environment: ${env.name}`),
      h('div', { class: 'lanes' }, env.stages.map((s) => lane(view, s))))),
    h('section', { 'aria-label': 'Queue', id: 'queue' },
      h('h2', {}, `Queue (${view.queue.length})`),
      view.queue.length === 0 ? h('p', { class: 'muted' }, 'No builds waiting.') :
        h('ol', { class: 'queue' }, view.queue.map((b) => h('li', { 'data-build': b.id }, h('a', { href: `/builds/${encodeURIComponent(b.id)}` }, b.id), ` · ${b.prCount} PRs`)))),
    h('p', { class: 'muted', id: 'updated' }, `Pipeline time ${fmtTime(view.now)}`),
  );
  if (focusKey) live.querySelector(`[data-build="${CSS.escape(focusKey)}"].danger, [href="${CSS.escape(focusKey)}"]`)?.focus();
  for (const d of live.querySelectorAll('details.menu')) if (openMenus.has(d.closest('[data-build]')?.getAttribute('data-build'))) d.open = true;
}

async function refresh() {
  try {
    render(await getJson('/api/pipeline'));
  } catch (err) {
    showError(live, err);
  }
}

function connect() {
  const es = new EventSource('/api/stream');
  let lastAt = Date.now();
  es.addEventListener('snapshot', (e) => {
    lastAt = Date.now();
    render(JSON.parse(e.data));
  });
  // Bake bars move between transitions too: when the stream is quiet, poll.
  setInterval(() => {
    if (Date.now() - lastAt > 4000) void refresh();
  }, 5000);
}

await initPage('board');
const timeline = h('section', { 'aria-label': 'Last 24 hours', id: 'timeline-box' });
content.replaceChildren(actionsPanel(), live, h('h2', {}, 'Last 24 hours'), timeline);
startTimeline(timeline);
await refresh();
connect();
window.__board = () => lastView;
