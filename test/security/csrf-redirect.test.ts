import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { USER } from '../api-harness.js';
import { browserSkip, launchBrowser, startLive, type LiveHarness } from './support.js';

const skip = browserSkip('security csrf-redirect');

/** A second origin on loopback (same site as the bot: 127.0.0.1, another port) serving whatever page is set. */
async function attackerSite(): Promise<{ url: string; page: (html: string) => void; server: Server }> {
  let html = '';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, page: (h) => (html = h), server };
}

async function login(page: Page, base: string, next = '/', raw = false): Promise<void> {
  await page.goto(`${base}/login?next=${raw ? next : encodeURIComponent(next)}`);
  await page.getByLabel('Name').fill(USER.name);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForLoadState('load');
}

describe('security: CSRF from a second origin and open redirects after login (chromium)', { skip }, () => {
  let h: LiveHarness;
  let browser: Browser;
  let context: BrowserContext;
  let evil: Awaited<ReturnType<typeof attackerSite>>;
  before(async () => {
    h = await startLive();
    evil = await attackerSite();
    browser = await launchBrowser();
    context = await browser.newContext();
    await login(await context.newPage(), h.url);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    evil?.server.close();
    await h?.close();
  });

  const forms: Array<[string, string]> = [
    ['a urlencoded form', '<form method="post" action="BOT/api/actions/stop"><input name="reason" value="csrf"></form>'],
    ['a text/plain form carrying JSON', '<form method="post" enctype="text/plain" action="BOT/api/actions/stop"><input name=\'{"reason":"csrf","x":"\' value=\'"}\'></form>'],
    ['a logout form', '<form method="post" action="BOT/logout"></form>'],
  ];
  for (const [what, form] of forms) {
    it(`an auto-submitted cross-origin ${what} does not act as the logged-in user`, async () => {
      evil.page(`<!doctype html><body>${form.replace('BOT', h.url)}<script>document.forms[0].submit()</script></body>`);
      const auditBefore = (await h.store.listAudit({ limit: 1000 })).filter((a) => a.action === 'csrf').length;
      const page = await context.newPage();
      await page.goto(evil.url);
      await page.waitForURL((u) => u.href.startsWith(h.url), { timeout: 5000 });
      await page.waitForLoadState('load');
      assert.equal(h.pipeline.snapshot().hold, null, 'the pipeline was not stopped');
      const audit = await h.store.listAudit({ limit: 1000 });
      assert.equal(audit.filter((a) => a.allowed && a.action !== 'login').length, 0, 'nothing was allowed');
      // A form body never reaches the JSON API (415); a body the server does parse is refused as CSRF, audited.
      if (!form.includes('urlencoded') && !form.includes('/api/actions/stop"><input name="reason"')) {
        assert.equal(audit.filter((a) => a.action === 'csrf' && !a.allowed).length, auditBefore + 1, 'the refusal is audited');
      }
      // The session survives: a forged logout must not log the user out either.
      const me = await page.request.get(`${h.url}/api/me`);
      assert.equal(((await me.json()) as { user: string }).user, USER.name);
      await page.close();
    });
  }

  it('a cross-origin fetch with credentials does not act either', async () => {
    evil.page(`<!doctype html><script>fetch("${h.url}/api/actions/stop",{method:"POST",mode:"no-cors",credentials:"include",headers:{"content-type":"text/plain"},body:"{}"}).finally(()=>document.title="sent")</script>`);
    const page = await context.newPage();
    await page.goto(evil.url);
    await page.waitForFunction(() => document.title === 'sent');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.pipeline.snapshot().hold, null);
    await page.close();
  });

  it('the same user acting from the UI itself still works', async () => {
    const page = await context.newPage();
    await page.goto(`${h.url}/`);
    await page.locator('button[data-action="hold"]').first().click();
    const deadline = Date.now() + 5000;
    while (h.pipeline.snapshot().hold === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.notEqual(h.pipeline.snapshot().hold, null, 'the UI, sending its CSRF token, may act');
    await h.pipeline.resume({ kind: 'person', id: 'test' }, 'undo');
    await page.close();
  });

  it('logging out from the UI revokes the session: its captured cookie no longer acts', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, h.url);
    const cookie = (await ctx.cookies()).find((c) => c.name === 'rb_session');
    const csrf = ((await (await page.request.get(`${h.url}/api/me`)).json()) as { csrfToken: string }).csrfToken;
    assert.ok(cookie && csrf);
    await page.goto(`${h.url}/`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForLoadState('load');
    const replay = await fetch(`${h.url}/api/actions/stop`, { method: 'POST', headers: { cookie: `rb_session=${cookie.value}`, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(replay.status, 401);
    assert.equal(h.pipeline.snapshot().hold, null);
    await ctx.close();
  });

  /** `next` exactly as it appears in the login URL's query; ATTACKER is the second origin's host:port. */
  const vectors = [
    '/%09/ATTACKER/',
    '/%09%09/ATTACKER/',
    '/%0a/ATTACKER/',
    '/%0d%0a/ATTACKER/',
    '%2F%2FATTACKER/',
    '//ATTACKER/',
    '/%5cATTACKER/',
    '/%5c%5cATTACKER/',
    '%5c/ATTACKER/',
    '%5c%5cATTACKER/',
    '/.//ATTACKER/',
    '/a/..//ATTACKER/',
    '/%2e//ATTACKER/',
    '/%252F%252FATTACKER/',
    'http://ATTACKER/',
    '%20http://ATTACKER/',
    '%09//ATTACKER/',
    'javascript:location=%22http://ATTACKER/%22',
  ];
  for (const v of vectors) {
    it(`login with next=${JSON.stringify(v)} stays on the bot`, async () => {
      const next = v.replace(/ATTACKER/g, new URL(evil.url).host);
      evil.page('<!doctype html><title>attacker</title>');
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await login(page, h.url, next, true);
      assert.ok(page.url().startsWith(`${h.url}/`), `landed on ${page.url()}`);
      assert.notEqual(await page.title(), 'attacker');
      await ctx.close();
    });
  }
});
