import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { API_TOKEN, buildPayload, type Build } from '../api-harness.js';
import { browserSkip, launchBrowser, startLive, type LiveHarness } from './support.js';

const skip = browserSkip('security xss-csp');

/** Records CSP violations and dialogs a page raises. */
async function watch(page: Page): Promise<{ violations: string[]; dialogs: string[] }> {
  const seen = { violations: [] as string[], dialogs: [] as string[] };
  await page.exposeFunction('__cspViolation', (v: string) => seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __cspViolation(v: string): void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  return seen;
}

describe('security: stored XSS and the Content-Security-Policy (chromium)', { skip }, () => {
  let h: LiveHarness;
  let browser: Browser;
  before(async () => {
    h = await startLive();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('refuses javascript: links on input with a 400 naming the field', async () => {
    const bad = buildPayload('bx', { ciUrl: 'javascript:alert(document.domain)' });
    const r = await fetch(`${h.url}/api/builds`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(bad) });
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'BAD_REQUEST');
    assert.match(body.error.message, /ciUrl: must be an http:\/\/ or https:\/\/ URL/);
  });

  it('a javascript: link already in the store does not run when clicked', async () => {
    // Stored before validation existed (or by another writer): the page must still not run it.
    const payload = buildPayload('b-xss', {
      ciUrl: 'javascript:window.__pwned=1;alert(1)',
      pullRequests: [{ number: 5, title: '<img src=x onerror=alert(2)>', url: 'javascript:window.__pwned=2;alert(2)', authorName: 'Eve', codeOwners: [] }],
    }) as unknown as Omit<Build, 'receivedAt'>;
    await h.store.putBuild({ ...payload, receivedAt: new Date(h.clock.now()).toISOString() });
    const page = await browser.newPage();
    const seen = await watch(page);
    await page.goto(`${h.url}/builds/b-xss`);
    await page.getByText('#5').waitFor();
    await page.getByText('#5').click();
    await page.getByText('javascript:window.__pwned=1;alert(1)').click();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'no script ran');
    assert.deepEqual(seen.dialogs, []);
    assert.equal(await page.locator('a[href^="javascript"]').count(), 0, 'no javascript: href in the DOM');
    assert.equal(await page.getByText('<img src=x onerror=alert(2)>').count(), 1, 'markup in a title renders as text');
    await page.close();
  });

  it('the CSP itself blocks a javascript: link and inline script even if one reached the DOM', async () => {
    const page = await browser.newPage();
    const seen = await watch(page);
    await page.goto(`${h.url}/`);
    await page.evaluate(() => {
      const a = document.createElement('a');
      a.id = 'evil';
      a.href = 'javascript:window.__pwned=3';
      a.textContent = 'evil';
      document.body.append(a);
      const s = document.createElement('script');
      s.textContent = 'window.__pwned=4';
      document.body.append(s);
    });
    await page.click('#evil');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.ok(seen.violations.some((v) => v.startsWith('script-src')), `violations: ${seen.violations.join(', ')}`);
    await page.close();
  });

  it('every page sends a strict CSP and works under it (no violations)', async () => {
    await h.app.inject({ method: 'POST', url: '/api/builds', headers: { authorization: `Bearer ${API_TOKEN}` }, payload: buildPayload('b-ok') });
    await h.advance(15_000);
    for (const path of ['/', '/events', '/history', '/builds/b-ok', '/login']) {
      const page = await browser.newPage();
      const seen = await watch(page);
      const res = await page.goto(`${h.url}${path}`);
      const csp = res?.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(res?.headers()['x-content-type-options'], 'nosniff');
      assert.equal(res?.headers()['x-frame-options'], 'DENY');
      await page.waitForLoadState('networkidle');
      if (path === '/builds/b-ok') await page.locator('.wf-bar').first().waitFor();
      assert.deepEqual(seen.violations, [], `CSP violations on ${path}`);
      await page.close();
    }
  });
});
