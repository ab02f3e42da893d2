import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, drawRectangle, waitForShapeCount } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('export', () => {
  let server: E2EServer;
  let browser: E2EBrowser;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('downloads the board as a PNG rendered by the server', async () => {
    const { page } = await browser.newUser();
    await createBoard(page, server.url, { name: 'Exporter' });
    await drawRectangle(page, { x: 250, y: 220 }, { x: 420, y: 340 });
    await waitForShapeCount(page, 1);
    // The server renders what it has stored, so wait until the rectangle reached it.
    await page.getByTestId('connection-status').and(page.locator('[data-state="synced"]')).waitFor();

    await page.getByTestId('export').click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('export-png').click()]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const file = readFileSync((await download.path())!);
    expect(file.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file.length).toBeGreaterThan(100);
  });
});
