import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, drawRectangle, openBoardAsNewGuest, shapes, waitForBoard, waitForShapeCount } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

/** The ids of the shapes the server holds for a room, read over REST (not through any browser). */
async function serverShapeIds(baseUrl: string, roomId: string, token: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/rooms/${roomId}/document`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`document: ${response.status}`);
  const { records } = (await response.json()) as { records: Array<{ id: string; typeName: string }> };
  return records.filter((record) => record.typeName === 'shape').map((record) => record.id);
}

/** Waits until the connection badge is in the given state. */
async function badge(page: Page, state: 'offline' | 'unsynced' | 'synced'): Promise<void> {
  await page.locator(`[data-testid="connection-status"][data-state="${state}"]`).waitFor();
}

// Alice works on and off the network; Bob watches from another browser.
describe.sequential('offline and closed tabs', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let aliceContext: BrowserContext;
  let alice: Page;
  let bob: Page;
  let roomId: string;
  let token: string;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    ({ context: aliceContext, page: alice } = await browser.newUser());
    bob = (await browser.newUser()).page;
    roomId = await createBoard(alice, server.url, { name: 'Alice' });
    token = await alice.evaluate(() => (JSON.parse(localStorage.getItem('scrible.session')!) as { token: string }).token);
    await openBoardAsNewGuest(bob, `${server.url}/r/${roomId}`, 'Bob');
    await waitForBoard(bob);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a stroke drawn while the browser is offline reaches the server and another browser once it is back', async () => {
    await aliceContext.setOffline(true);
    await badge(alice, 'offline');

    await drawRectangle(alice, { x: 250, y: 220 }, { x: 420, y: 340 });
    await waitForShapeCount(alice, 1);
    await badge(alice, 'unsynced');
    expect(await alice.getByTestId('connection-status').textContent()).toMatch(/^Offline · \d+ changes? kept$/);
    expect(await alice.getByTestId('connection-status').getAttribute('title')).toMatch(/kept in this browser/);
    // Nothing left the browser: neither the server nor Bob has it.
    expect(await serverShapeIds(server.url, roomId, token)).toEqual([]);
    expect(await shapes(bob)).toEqual([]);

    await aliceContext.setOffline(false);
    await badge(alice, 'synced');
    await waitForShapeCount(bob, 1);
    expect(await serverShapeIds(server.url, roomId, token)).toEqual((await shapes(alice)).map((shape) => shape.id));
    await alice.keyboard.press('Escape');
  });

  test('a stroke made just before the tab closes is there when the board opens again, and reaches the others', async () => {
    await aliceContext.setOffline(true);
    await badge(alice, 'offline');
    await drawRectangle(alice, { x: 500, y: 220 }, { x: 640, y: 330 });
    await waitForShapeCount(alice, 2);
    const drawn = (await shapes(alice)).map((shape) => shape.id).sort();
    // Closed before the server could have acknowledged anything: the change was never sent.
    await badge(alice, 'unsynced');
    await alice.close();
    expect(await serverShapeIds(server.url, roomId, token)).toHaveLength(1);

    await aliceContext.setOffline(false);
    alice = await browser.newPage(aliceContext);
    await alice.goto(`${server.url}/r/${roomId}`);
    await waitForBoard(alice);
    await waitForShapeCount(alice, 2);
    expect((await shapes(alice)).map((shape) => shape.id).sort()).toEqual(drawn);
    await badge(alice, 'synced');
    await waitForShapeCount(bob, 2);
    expect((await serverShapeIds(server.url, roomId, token)).sort()).toEqual(drawn);
  });
});
