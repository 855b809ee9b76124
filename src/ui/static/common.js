// Shared helpers for the releasebot UI pages: DOM building, API calls, formatting, login state, actions.

/** Creates an element: h('a', { href: '/x', class: 'y' }, 'text', child). Text is never parsed as HTML. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    // Through CSSOM: the CSP forbids style="..." attributes (they would need 'unsafe-inline').
    else if (k === 'style') el.style.cssText = String(v);
    // Links from build payloads are untrusted: only http(s) and same-site paths become links.
    else if ((k === 'href' || k === 'src' || k === 'action') && !safeUrl(String(v))) continue;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** True for http(s) URLs and same-origin paths; false for javascript:, data:, vbscript: and the like. */
export function safeUrl(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** GETs JSON from the API; throws an Error with the API's message on failure. */
export async function getJson(url) {
  const r = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(body?.error?.message ?? `${r.status} ${r.statusText}`), { status: r.status });
  return body;
}

/** Formats a duration in ms as "1h 02m", "3m 05s" or "12s". */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Formats epoch ms as a short date-time in the viewer's time zone, with the zone shown ("Mar 10, 14:05:09 CET"). */
export function fmtTime(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '—';
  const d = new Date(ms);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
}

/** A <time> element: local text with the zone, machine-readable UTC in `datetime`. */
export function timeEl(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '—';
  return h('time', { datetime: new Date(ms).toISOString() }, fmtTime(ms));
}

/** "person alice" / "bot monitor". */
export function fmtActor(a) {
  return a ? `${a.kind === 'bot' ? 'bot' : 'person'} ${a.id}` : '—';
}

/** Shows a message in the page's live status region. */
export function say(text, kind = 'ok', link) {
  const el = document.getElementById('status');
  if (!el) return;
  el.className = `status-msg ${kind}`;
  el.replaceChildren(text, link ? ' ' : '', link ?? '');
}

let me = null;
/** Who is logged in ({ user, via, requireLoginForRead, loginForm, sso }). */
export async function whoAmI() {
  me ??= await getJson('/api/me');
  return me;
}

/** Fills the header's user area, marks the current nav link and draws the status strip (kept fresh every 10 s). */
export async function initPage(current) {
  const { startStrip } = await import('./widgets.js');
  startStrip();
  document.querySelectorAll('header.top nav a').forEach((a) => {
    if (a.dataset.page === current) a.setAttribute('aria-current', 'page');
  });
  const area = document.getElementById('user');
  const info = await whoAmI().catch(() => ({ user: null }));
  if (!area) return info;
  if (info.user) {
    const form = h('form', { method: 'post', action: '/logout' }, h('input', { type: 'hidden', name: '_csrf', value: info.csrfToken ?? '' }), h('button', { type: 'submit' }, 'Log out'));
    area.replaceChildren(h('span', {}, `Signed in as ${info.user}`), info.via === 'session' ? form : '');
  } else {
    const next = encodeURIComponent(location.pathname + location.search);
    area.replaceChildren(h('a', { href: `/login?next=${next}`, id: 'login-link' }, 'Log in to act'));
  }
  return info;
}

/**
 * Posts an action (hold, stop, resume, rollback) and reports the outcome in the status region.
 * The server decides: without login it answers 401, which is shown as a refusal with a login link.
 */
export async function act(action, body) {
  say(`Sending ${action}…`, 'ok');
  // The CSRF token from /api/me: the server refuses state changes without it (a cross-site form cannot send headers).
  const csrf = (await whoAmI().catch(() => ({})))?.csrfToken ?? '';
  const r = await fetch(`/api/actions/${action}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body ?? {}) });
  const res = await r.json().catch(() => ({}));
  if (r.status === 401) {
    const next = encodeURIComponent(location.pathname + location.search);
    say(`Refused: log in to ${action}.`, 'error', h('a', { href: `/login?next=${next}` }, 'Log in'));
    return null;
  }
  if (!r.ok) {
    say(`${action} failed: ${res?.error?.message ?? r.status}`, 'error');
    return null;
  }
  if (action === 'rollback') say(res.rolledBack ? `Rolling back ${body.buildId}.` : `${body.buildId} was already rolled back.`, 'ok');
  else say(`Done: ${action}.`, 'ok');
  return res;
}

/** A rollback button for a build, asking for confirmation first. `prominent`: the suspect build's, larger. */
export function rollbackButton(buildId, reasonInput, prominent = false) {
  return h('button', {
    type: 'button', class: prominent ? 'danger prominent' : 'danger', 'data-action': 'rollback', 'data-build': buildId,
    onclick: async () => {
      if (!confirm(`Roll back ${buildId} everywhere it runs?`)) return;
      const reason = reasonInput?.value?.trim();
      await act('rollback', reason ? { buildId, reason } : { buildId });
    },
  }, `Roll back ${buildId}`);
}

/** Severity badge (text as well as colour, for colour-blind readers). */
export function severityBadge(sev) {
  return h('span', { class: `badge sev-${sev}` }, sev);
}

/** Renders an error in place of a page's content. */
export function showError(container, err) {
  container.replaceChildren(h('p', { class: 'status-msg error', role: 'alert' }, `Could not load: ${err.message}`));
}
