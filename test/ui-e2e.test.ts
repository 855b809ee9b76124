import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, startUiTarget, type UiTarget } from './ui-target.js';
import { demoScenario } from '../src/app/scenario.js';
import { axeViolations, overflowAt, pageReady } from './ui-checks.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`ui-e2e: ${CHROMIUM} is missing, and CI=true requires it`);
const skip = missing ? `chromium not found at ${CHROMIUM} (apt-get install chromium)` : false;
if (skip) console.log(`# SKIP ui-e2e: ${skip}`);

/** Which build each stage lane shows right now. */
async function occupants(page: Page): Promise<Array<[string, string]>> {
  return page.$$eval('article.lane', (lanes) =>
    lanes.flatMap((l) => {
      const b = l.querySelector('.build-card[data-build]')?.getAttribute('data-build');
      return b ? [[l.getAttribute('data-stage') ?? '', b] as [string, string]] : [];
    }),
  );
}

/** Rollback decisions about a build made by a person (the bot may roll back the demo's bad build on its own). */
async function personRollbacks(base: string, id: string): Promise<number> {
  const r = await fetch(`${base}/api/builds/${encodeURIComponent(id)}`);
  const body = (await r.json()) as { decisions?: Array<{ kind: string; actor: { kind: string } }> };
  return (body.decisions ?? []).filter((d) => d.kind === 'rollback' && d.actor.kind === 'person').length;
}

/** Opens a build card's "More actions" menu when its rollback button sits behind one (only the suspect build's is out in the open). */
async function openMenu(page: Page, id: string): Promise<void> {
  const menu = page.locator(`.build-card[data-build="${id}"] details.menu`);
  if ((await menu.count()) > 0 && !(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await menu.locator('summary').click();
}

async function buildStatus(base: string, id: string): Promise<string> {
  const r = await fetch(`${base}/api/builds/${encodeURIComponent(id)}`);
  return ((await r.json()) as { state: { status: string } | null }).state?.status ?? 'unknown';
}

describe('web UI end to end (playwright + chromium)', { skip }, () => {
  let target: UiTarget;
  let browser: Browser;
  before(async () => {
    target = await startUiTarget(Number(process.env.UI_SPEED ?? 30));
    console.log(`# ui-e2e against the ${target.kind} at ${target.url}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await target?.close();
  });

  // First: the demo's bad build is blocked and rolled back within its first minute of wall time.
  it("during the bad build: the blocked lane says so and links to the event, the strip counts it, the board shows the rollback", async (t) => {
    if (target.kind !== 'demo') {
      t.skip('the bad build and its rollback are part of the demo, not the fixture');
      return;
    }
    const bad = demoScenario(0).flatMap((st) => (st.kind === 'build' && st.bad ? [st.build.id] : []));
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${target.url}/`);
    // One evaluation reads lane, strip and banner together, so all three describe the same snapshot.
    const seen = await page.waitForFunction((ids) => {
      for (const id of ids) {
        const card = document.querySelector(`article.lane[data-health="blocked"] .build-card[data-build="${id}"]`);
        const lane = card?.closest('article.lane');
        const link = lane?.querySelector('.health a[href^="/events/"]');
        const count = Number(document.querySelector('#strip [data-strip="events"]')?.getAttribute('data-count'));
        if (lane && link && count >= 1) {
          return { build: id, stage: lane.getAttribute('data-stage'), href: link.getAttribute('href'), label: link.textContent, count, banner: document.querySelector('#banner')?.textContent ?? '' };
        }
      }
      return null;
    }, bad, { timeout: 240_000, polling: 'raf' });
    const v = (await seen.jsonValue())!;
    assert.match(v.label ?? '', /Blocked by an? ((white|blue|red|siren|fire) )?event/);
    assert.ok(v.count >= 1, 'the status strip counts the open event');
    assert.match(v.banner, new RegExp(`Blocked: .* waits on`), `banner: ${v.banner}`);
    const ev = (await (await fetch(`${target.url}/api${v.href}`)).json()) as { event: { buildId: string; status: string } };
    assert.equal(ev.event.buildId, v.build, 'the lane links to the event about its own build');

    // Whoever rolls it back (the bot, usually), the board says so: the strip lists the rollback.
    const rolled = await page.waitForFunction((id) => {
      const item = document.querySelector('#strip [data-strip="rollbacks"]');
      return item && Number(item.getAttribute('data-count')) >= 1 && item.textContent!.includes(id) ? item.textContent : null;
    }, v.build, { timeout: 240_000, polling: 500 });
    assert.match(String(await rolled.jsonValue()), /rollbacks? in the last hour/);
    await page.close();
  });

  it('shows every stage as a lane and the builds moving through them, live', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${target.url}/`);
    await page.locator('article.lane').first().waitFor();
    const pipeline = (await (await fetch(`${target.url}/api/pipeline`)).json()) as { environments: Array<{ stages: unknown[] }> };
    const stageCount = pipeline.environments.reduce((n, e) => n + e.stages.length, 0);
    assert.equal(await page.locator('article.lane').count(), stageCount, 'one lane per stage');
    // Without reloading, the same build must show up in at least two different stages.
    const seen = new Map<string, Set<string>>();
    const deadline = Date.now() + 90_000;
    let moved: string | undefined;
    let sawBakeBar = false;
    while ((!moved || !sawBakeBar) && Date.now() < deadline) {
      if (!sawBakeBar) sawBakeBar = (await page.locator('article.lane progress').count()) > 0;
      for (const [stage, build] of await occupants(page)) {
        const s = seen.get(build) ?? new Set();
        s.add(stage);
        seen.set(build, s);
        if (s.size >= 2) moved = build;
      }
      await page.waitForTimeout(250);
    }
    assert.ok(moved, `no build was seen moving between stages: ${JSON.stringify([...seen].map(([b, s]) => [b, [...s]]))}`);
    assert.ok(sawBakeBar, 'a bake progress bar was shown');
    await page.close();
  });

  it("renders an event's chart with its baseline band", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // In the demo events open as builds bake; threshold-only events have no z-score baseline, so
    // wait for one whose checks have a baseline (the bad build's), as the list page links it.
    const deadline = Date.now() + 150_000;
    let href: string | null = null;
    while (!href && Date.now() < deadline) {
      await page.goto(`${target.url}/events`);
      await page.waitForSelector('#content table, #content p', { timeout: 10_000 });
      const links = await page.locator('tr[data-event] a[href^="/events/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      for (const l of links) {
        const body = (await (await fetch(target.url + '/api' + l)).json()) as { charts: Array<{ baseline?: unknown }> };
        if (body.charts.some((c) => c.baseline)) {
          href = l;
          break;
        }
      }
      if (!href) await page.waitForTimeout(2000);
    }
    assert.ok(href, 'an event with a baselined check appeared on /events');
    await page.goto(target.url + href);
    await page.locator('figure.chart canvas').first().waitFor({ timeout: 30_000 });
    const charts = await page.$$eval('figure.chart', (fs) => fs.map((f) => ({ series: JSON.parse(f.getAttribute('data-series') ?? '[]') as string[], bands: Number(f.getAttribute('data-bands')), canvas: f.querySelector('canvas') !== null })));
    assert.ok(charts.length >= 1);
    const banded = charts.find((c) => c.bands >= 1);
    assert.ok(banded, `a chart with a band: ${JSON.stringify(charts)}`);
    assert.ok(banded.canvas, 'drawn on a canvas');
    assert.ok(banded.series.some((s) => s.startsWith('band upper')) && banded.series.some((s) => s.startsWith('band lower')), 'band edges are series');
    assert.ok(banded.series.some((s) => s.startsWith('in scope')), 'the in-scope series is drawn');
    await page.close();
  });

  it('axe finds no violations on any page at 1400x900 and 390 px wide, and nothing overflows at 390 px', async () => {
    const events = (await (await fetch(`${target.url}/api/events?limit=1`)).json()) as { events: Array<{ id: string; buildId: string }> };
    const builds = (await (await fetch(`${target.url}/api/builds?limit=1`)).json()) as { builds: Array<{ id: string }> };
    const ev = events.events[0];
    const paths = ['/', '/events', '/history', '/builds', '/login', `/builds/${encodeURIComponent(ev?.buildId ?? builds.builds[0].id)}`, ...(ev ? [`/events/${encodeURIComponent(ev.id)}`] : [])];
    const problems: string[] = [];
    for (const viewport of [{ width: 1400, height: 900 }, { width: 390, height: 844 }]) {
      const page = await browser.newPage({ viewport });
      const cspErrors: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
      });
      for (const p of paths) {
        await page.goto(target.url + p);
        await pageReady(page);
        for (const violation of await axeViolations(page)) problems.push(`${viewport.width}px ${p}: ${violation}`);
        // What a careless renderer prints: stringified nodes or arrays, missing numbers, negative time left.
        const junk = /\[object \w+\]|\bundefined\b|\bNaN\b|-\d+s left/.exec(await page.locator('body').innerText());
        if (junk) problems.push(`${viewport.width}px ${p}: page text contains "${junk[0]}"`);
        if (viewport.width === 390) {
          const o = await overflowAt(page);
          if (o) problems.push(`390px ${p}: ${o}`);
        }
      }
      problems.push(...cspErrors.map((e) => `${viewport.width}px CSP: ${e}`));
      await page.close();
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('refuses a rollback without login, and rolls back for a logged-in user', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${target.url}/`);
    const first = page.locator('.build-card[data-build]').filter({ has: page.locator('button[data-action="rollback"]') }).first();
    await first.waitFor({ timeout: 60_000 });
    const victim = (await first.getAttribute('data-build'))!;
    await openMenu(page, victim);
    await page.locator(`.build-card[data-build="${victim}"] button[data-action="rollback"]`).click();
    await page.getByText(/Refused: log in to rollback/).waitFor({ timeout: 10_000 });
    assert.equal(await personRollbacks(target.url, victim), 0, 'nothing rolled back without login');

    const me = (await (await fetch(`${target.url}/api/me`)).json()) as { loginForm: boolean };
    assert.ok(me.loginForm, `the ${target.kind} has no UI user: configure server.ui.users with ${target.user.name} / RELEASEBOT_DEMO_PASSWORD`);
    await page.getByRole('link', { name: 'Log in' }).first().click();
    await page.getByLabel('Name').fill(target.user.name);
    await page.getByLabel('Password').fill(target.user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(`Signed in as ${target.user.name}`).waitFor({ timeout: 10_000 });

    const card = page.locator('.build-card[data-build]').filter({ has: page.locator('button[data-action="rollback"]') }).first();
    await card.waitFor({ timeout: 60_000 });
    const id = (await card.getAttribute('data-build'))!;
    await openMenu(page, id);
    await page.locator(`.build-card[data-build="${id}"] button[data-action="rollback"]`).click();
    await page.getByText(new RegExp(`Rolling back ${id}|${id} was already rolled back`)).waitFor({ timeout: 10_000 });
    const deadline = Date.now() + 30_000;
    let status = await buildStatus(target.url, id);
    while (!['tainted', 'rolled_back'].includes(status) && Date.now() < deadline) {
      await page.waitForTimeout(250);
      status = await buildStatus(target.url, id);
    }
    assert.ok(['tainted', 'rolled_back'].includes(status), `build ${id} is ${status}`);
    // The audit log is for logged-in users: read it with the page's session.
    assert.equal((await fetch(`${target.url}/api/audit`)).status, 401, 'the audit log is not public');
    const audit = (await (await page.request.get(`${target.url}/api/audit?limit=50`)).json()) as { audit: Array<{ action: string; allowed: boolean; actor: string }> };
    const rollbacks = audit.audit.filter((a) => a.action === 'rollback');
    assert.ok(rollbacks.some((a) => !a.allowed && a.actor === 'anonymous'), 'the refused attempt is audited');
    assert.ok(rollbacks.some((a) => a.allowed && a.actor === `session:${target.user.name}`), 'the rollback is audited with its user');
    await page.close();
  });
});
