/**
 * Regenerates screenshots of the main UI pages into docs/screenshots/ (board, event, build, history).
 *
 *   npx tsx scripts/screenshots.ts                 # starts the demo (or the UI fixture if there is no demo)
 *   npx tsx scripts/screenshots.ts --url http://127.0.0.1:8080   # an instance that is already running
 *
 * Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM=path).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, startUiTarget, type UiTarget } from '../test/ui-target.js';
import { pageReady } from '../test/ui-checks.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

async function firstHref(page: Page, selector: string): Promise<string | null> {
  return page.locator(selector).first().getAttribute('href', { timeout: 60_000 }).catch(() => null);
}

/** The newest event whose chart has a z-score band (the most telling picture), waiting up to 2 minutes. */
async function eventWithBand(page: Page, base: string): Promise<string | null> {
  const deadline = Date.now() + 120_000;
  let fallback: string | null = null;
  while (Date.now() < deadline) {
    await page.goto(`${base}/events`);
    await page.waitForSelector('#content table, #content p');
    const links = await page.locator('tr[data-event] a[href^="/events/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    fallback ??= links[0] ?? null;
    for (const l of links) {
      const body = (await (await fetch(`${base}/api${l}`)).json()) as { charts: Array<{ baseline?: unknown }> };
      if (body.charts.some((c) => c.baseline)) return l;
    }
    await page.waitForTimeout(2000);
  }
  return fallback;
}

async function main(): Promise<void> {
  const urlArg = process.argv.indexOf('--url');
  const target: UiTarget | null = urlArg > 0 ? null : await startUiTarget(Number(process.env.SPEED ?? 30));
  const base = urlArg > 0 ? process.argv[urlArg + 1] : target!.url;
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    // The board during an event: wait (up to 4 minutes) for a lane that is blocked or shows a signal,
    // with the status strip counting it, and take the picture in that moment.
    await page.goto(`${base}/`);
    await page.locator('.lane .build-card[data-build]').first().waitFor({ timeout: 90_000 });
    const during = await page
      .waitForFunction(() => document.querySelector('.lane[data-health="blocked"], .lane[data-health="signal"]') !== null && Number(document.querySelector('#strip [data-strip="events"]')?.getAttribute('data-count')) > 0, undefined, { timeout: 240_000, polling: 'raf' })
      .then(() => true, () => false);
    if (!during) console.warn('no event on the board within 4 minutes: board.png shows a quiet pipeline');
    await page.screenshot({ path: `${OUT}board.png`, fullPage: true });
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/`);
    await phone.locator('.lane').first().waitFor({ timeout: 30_000 });
    await phone.waitForTimeout(1000);
    await phone.screenshot({ path: `${OUT}board-phone.png`, fullPage: false });
    await phone.close();
    const ev = await eventWithBand(page, base);
    if (ev) {
      await page.goto(base + ev);
      await page.locator('figure.chart canvas').first().waitFor({ timeout: 30_000 });
      await pageReady(page);
      await page.screenshot({ path: `${OUT}event.png`, fullPage: true });
    } else console.warn('no event yet: event.png not regenerated');
    await page.goto(`${base}/history`);
    await page.locator('tr[data-build]').first().waitFor({ timeout: 30_000 });
    await pageReady(page);
    await page.screenshot({ path: `${OUT}history.png`, fullPage: true });
    // The most telling build page is the rolled-back one: its events, verdicts and the rollback in its journey.
    const bad = page.locator('tr[data-build]:has(.badge.out-rolled_back, .badge.out-tainted) a');
    const build = (await bad.count()) > 0 ? await bad.first().getAttribute('href') : await firstHref(page, 'tr[data-build] a');
    if (build) {
      await page.goto(base + build);
      // Not just any `.muted`: "Loading…" is one; wait until the page has drawn its content.
      await pageReady(page);
      await page.screenshot({ path: `${OUT}build.png`, fullPage: true });
    }
    console.log(`screenshots written to ${OUT} (from ${target?.kind ?? base})`);
  } finally {
    await browser.close();
    await target?.close();
  }
}

await main();
