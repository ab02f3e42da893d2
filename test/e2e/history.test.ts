import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, drawRectangle, openBoardAsNewGuest, waitForBoard, waitForShapeCount } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

/** Opens the board's history panel and waits until its list has been read. */
async function openHistory(page: Page): Promise<void> {
  await page.getByTestId('history-button').click();
  await page.locator('[data-testid="history"][aria-busy="false"]').waitFor();
}

/** The history entry carrying this name. */
function namedVersion(page: Page, name: string) {
  return page.getByTestId('history-version').filter({ has: page.getByTestId('history-version-name').getByText(name, { exact: true }) });
}

/** The room id of the board this page shows. */
const roomOf = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);

// Alice draws, names a version, draws more, restores it; Bob watches and copies a version.
describe.sequential('the history panel', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let alice: Page;
  let bob: Page;
  let roomId: string;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    alice = (await browser.newUser()).page;
    bob = (await browser.newUser()).page;
    roomId = await createBoard(alice, server.url, { name: 'Alice', boardName: 'Plans', visibility: 'public' });
    await openBoardAsNewGuest(bob, `${server.url}/r/${roomId}`, 'Bob');
    await waitForBoard(bob);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a named version is listed with its name, author, time and picture', async () => {
    await drawRectangle(alice, { x: 250, y: 220 }, { x: 420, y: 340 });
    // Bob has it, so the server has it: the version will hold it.
    await waitForShapeCount(bob, 1, 10_000);

    await openHistory(alice);
    await alice.getByTestId('history-name-input').fill('One box');
    await alice.getByTestId('history-name-save').click();
    const entry = namedVersion(alice, 'One box');
    await entry.waitFor();
    expect(await entry.getAttribute('data-named')).toBe('true');
    expect(await entry.getByTestId('history-author').textContent()).toContain('Alice');
    expect(await entry.locator('time').textContent()).toMatch(/now|second/);
    // The picture is the server's drawing of that version (an <img> with ?token=), not a stand-in.
    const preview = entry.getByTestId('history-preview');
    await expect.poll(() => preview.evaluate((image) => (image as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await alice.getByTestId('history-name-input').inputValue()).toBe('');
    // It shows the box: a blank board is drawn 128 px wide, this one wider.
    expect(await preview.evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(128);
    // The board's page itself reached the server, not only the shape on it.
    const token = await alice.evaluate(() => (JSON.parse(localStorage.getItem('scrible.session')!) as { token: string }).token);
    const document = await fetch(`${server.url}/api/rooms/${roomId}/document`, { headers: { authorization: `Bearer ${token}` } });
    const { records } = (await document.json()) as { records: Array<{ typeName: string }> };
    expect(records.map((record) => record.typeName).sort()).toEqual(expect.arrayContaining(['document', 'page', 'shape']));
  });

  test('restoring a version changes the other browser’s board', async () => {
    await alice.getByTestId('history-button').click(); // closed, so the canvas is free to draw on
    await drawRectangle(alice, { x: 500, y: 240 }, { x: 640, y: 360 });
    await waitForShapeCount(bob, 2, 10_000);

    await openHistory(alice);
    await namedVersion(alice, 'One box').getByTestId('history-restore').click();
    await alice.getByTestId('history-restore-confirm').click();
    await waitForShapeCount(bob, 1, 15_000);
    await waitForShapeCount(alice, 1, 15_000);
    // The restore is itself a version, by Alice, on top of the list.
    await expect
      .poll(async () => {
        const newest = alice.getByTestId('history-version').first();
        return [await newest.getAttribute('data-named'), await newest.getByTestId('history-author').textContent()];
      })
      .toEqual(['false', ' · Alice']);
  });

  test('screenshot of the history panel', async () => {
    // The README's picture is refreshed on request only, so test runs leave the tree clean.
    const file = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots/history-panel.png' : join(tmpdir(), 'scrible-history-panel.png');
    const images = alice.getByTestId('history').locator('img');
    await expect
      .poll(() => images.evaluateAll((all) => all.every((image) => (image as HTMLImageElement).complete)), { timeout: 30_000 })
      .toBe(true);
    await alice.screenshot({ path: file, type: 'png' });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  test('only the owner restores; anyone may copy a version, which opens as their own board', async () => {
    await openHistory(bob);
    expect(await bob.getByTestId('history-restore').count()).toBe(0);
    await namedVersion(bob, 'One box').getByTestId('history-copy').click();
    await bob.waitForURL((url) => url.pathname.startsWith('/r/') && !url.pathname.endsWith(roomId));
    await waitForBoard(bob);
    await waitForShapeCount(bob, 1, 10_000);
    // Bob owns the copy: he may share it.
    await bob.getByTestId('share').waitFor();
    expect(roomOf(bob)).not.toBe(roomId);
    // The original is untouched.
    await waitForShapeCount(alice, 1);
  });

  test('the boards page makes a copy of a board as it is now', async () => {
    await alice.goto(`${server.url}/`);
    await alice.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
    await alice.locator(`[data-testid="board-item"][data-room-id="${roomId}"]`).getByTestId('board-copy').click();
    await alice.waitForURL((url) => url.pathname.startsWith('/r/') && !url.pathname.endsWith(roomId));
    await waitForBoard(alice);
    await waitForShapeCount(alice, 1, 10_000);
    await alice.goto(`${server.url}/`);
    await alice.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
    expect(await alice.getByTestId('my-boards').getByTestId('board-link').allTextContents()).toEqual(['Plans (fork)', 'Plans']);
  });
});
