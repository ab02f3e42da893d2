import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, drawRectangle, waitForShapeCount } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

describe.sequential('a board near the size limit', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // Not the 32 MiB default: the board must warn at the limit this server has.
    server = await startE2EServer({ MAX_DOCUMENT_BYTES: String(10 * 1024 * 1024) });
    browser = await launchBrowser();
    ({ context, page } = await browser.newUser());
    await createBoard(page, server.url, { name: 'Alice' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an ordinary board shows no warning', async () => {
    await drawRectangle(page, { x: 250, y: 220 }, { x: 420, y: 340 });
    await waitForShapeCount(page, 1);
    await page.locator('[data-testid="connection-status"][data-state="synced"]').waitFor();
    expect(await page.getByTestId('size-warning').count()).toBe(0);
  });

  test('past 80 % of the server’s MAX_DOCUMENT_BYTES the board warns, without a change being refused first', async () => {
    // 8.5 MiB in the doc, kept off the network (the server would refuse a message that
    // big): offline, the board's own doc grows as it would with many large shapes.
    await context.setOffline(true);
    await page.locator('[data-testid="connection-status"][data-state="offline"]').waitFor();
    await page.evaluate(() => window.provider!.document.getMap('size-test').set('filler', 'x'.repeat(8.5 * 1024 * 1024)));
    await page.getByTestId('size-warning').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('size-warning').textContent()).toMatch(/nearly full: 8\.5 of 10 MiB/);
  });
});
