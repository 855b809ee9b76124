import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Waits until the page's script replaced "Loading…" (or showed an error) and the status strip is drawn. */
export async function pageReady(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const c = document.getElementById('content');
    if (c && c.textContent?.trim() === 'Loading…') return false;
    const strip = document.getElementById('strip');
    return !strip || strip.childElementCount > 0;
  }, undefined, { timeout: 30_000 });
  // Charts and the timeline load after the main content.
  await page.waitForTimeout(800);
}

/**
 * axe-core's violations on the page, one line each. axe is evaluated through the DevTools protocol,
 * which the page's CSP does not govern; the page itself is tested with its real CSP in force.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

/** Undefined when nothing is wider than the viewport; otherwise what sticks out. */
export async function overflowAt(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return undefined;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${Array.from(el.classList).join('.')}`);
    return `page is ${root.scrollWidth}px wide in a ${root.clientWidth}px viewport: ${wide.join(', ')}`;
  });
}
