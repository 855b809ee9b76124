// Pipeline board: every stage as a lane per environment, bake progress, queue, hold; live over SSE.
import { act, fmtActor, fmtDuration, fmtTime, getJson, h, initPage, rollbackButton, showError } from './common.js';

const content = document.getElementById('content');
const reason = h('input', { type: 'text', id: 'reason', name: 'reason', placeholder: 'Reason (optional)', 'aria-label': 'Reason for the action', size: 30 });
const live = h('div', { id: 'board' });
let lastView = null;

function actionsPanel() {
  const btn = (action, label, cls) =>
    h('button', { type: 'button', class: cls, 'data-action': action, onclick: () => act(action, reason.value.trim() ? { reason: reason.value.trim() } : {}) }, label);
  return h('section', { class: 'actions-panel', 'aria-label': 'Pipeline actions' },
    reason, btn('hold', 'Pause promotions'), btn('stop', 'Stop deploys', 'danger'), btn('resume', 'Resume', 'secondary'));
}

function holdBanner(hold) {
  if (!hold) return h('div', { class: 'banner', id: 'hold-state' }, 'Pipeline running: builds move on when their bake time has passed.');
  const what = hold.kind === 'stop' ? 'Stopped' : 'Held';
  return h('div', { class: `banner ${hold.kind === 'stop' ? 'stopped' : 'held'}`, id: 'hold-state', role: 'alert' },
    h('strong', {}, `${what} by ${fmtActor(hold.actor)}`), ` since ${fmtTime(hold.at)}: ${hold.reason}`,
    hold.liftOnBuildNewerThan !== undefined ? h('span', { class: 'muted' }, ' (lifts when a newer build arrives)') : '');
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
  const left = stage.bakeUntil && stage.phase === 'baking' ? h('div', { class: 'meta' }, `${fmtDuration(stage.bakeUntil - view.now)} left`) : '';
  const blocks = Object.entries(stage.blocks ?? {});
  return h('div', { class: 'build-card', 'data-build': id },
    h('div', {}, h('a', { href: `/builds/${encodeURIComponent(id)}` }, h('strong', {}, id)), ' ', h('span', { class: 'badge' }, stage.phase.replace('_', ' '))),
    h('div', { class: 'meta' }, `${b.prCount} PR${b.prCount === 1 ? '' : 's'}`, b.sha ? ` · ${b.sha.slice(0, 7)}` : '', b.includes?.length ? ` · includes ${b.includes.join(', ')}` : ''),
    progress, left,
    stage.failure ? h('div', { class: 'meta', style: 'color:var(--bad)' }, `failed: ${stage.failure}`) : '',
    blocks.length ? h('ul', { class: 'blocks', 'aria-label': 'Blocked by' }, blocks.map(([src, why]) => h('li', {}, `${src}: ${why}`))) : '',
    rollbackButton(id, reason));
}

function lane(view, stage) {
  return h('article', { class: `lane phase-${stage.phase}`, 'data-stage': stage.name, role: 'listitem', 'aria-label': `Stage ${stage.name}` },
    h('h3', {}, stage.name),
    h('div', { class: 'meta' }, `${stage.tier} · ${stage.percent}% · ${stage.azs.join(', ')}`),
    h('div', { class: 'meta' }, `bake ${fmtDuration(stage.bakeSeconds * 1000)}`),
    buildCard(view, stage));
}

function render(view) {
  lastView = view;
  // Keep keyboard focus on the same control across re-renders.
  const focused = document.activeElement;
  const focusKey = live.contains(focused) ? focused.getAttribute('data-build') ?? focused.getAttribute('href') : null;
  live.replaceChildren(
    holdBanner(view.hold),
    ...view.environments.map((env) => h('section', { class: 'env', 'aria-label': `Environment ${env.name}` },
      h('h2', {}, `Environment: ${env.name}`),
      h('div', { class: 'lanes', role: 'list' }, env.stages.map((s) => lane(view, s))))),
    h('section', { 'aria-label': 'Queue', id: 'queue' },
      h('h2', {}, `Queue (${view.queue.length})`),
      view.queue.length === 0 ? h('p', { class: 'muted' }, 'No builds waiting.') :
        h('ol', { class: 'queue' }, view.queue.map((b) => h('li', { 'data-build': b.id }, h('a', { href: `/builds/${encodeURIComponent(b.id)}` }, b.id), ` · ${b.prCount} PRs`)))),
    h('p', { class: 'muted', id: 'updated' }, `Pipeline time ${fmtTime(view.now)}`),
  );
  if (focusKey) live.querySelector(`[data-build="${CSS.escape(focusKey)}"].danger, [href="${CSS.escape(focusKey)}"]`)?.focus();
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
content.replaceChildren(actionsPanel(), live);
await refresh();
connect();
window.__board = () => lastView;
