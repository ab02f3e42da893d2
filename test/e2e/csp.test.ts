import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBoard, drawRectangle, shapes, waitForShapeCount } from './helpers/board.ts';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

// The whiteboard is served with a Content-Security-Policy: tldraw must still work
// under it, and the browser must not report a single violation.
describe('the whiteboard under its Content-Security-Policy', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    page = (await browser.newUser()).page;
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`Refused to load (CSP): ${event.violatedDirective} ${event.blockedURI}`),
      );
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the page has the policy, the board draws and syncs, and nothing is refused', async () => {
    const answer = await fetch(`${server.url}/`);
    expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
    await createBoard(page, server.url, { name: 'Csp' });
    await drawRectangle(page, { x: 250, y: 220 }, { x: 420, y: 340 });
    await waitForShapeCount(page, 1);
    expect((await shapes(page))[0]!.type).toBe('geo');
    await page.getByTestId('connection-status').and(page.locator('[data-state="synced"]')).waitFor();
    expect(violations).toEqual([]);
  });
});
