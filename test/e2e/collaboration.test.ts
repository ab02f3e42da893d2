import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, drawRectangle, openBoardAsNewGuest, shapes, waitForBoard, waitForShapeCount } from './helpers/board.ts';
import { saveSideBySide } from './helpers/screenshot.ts';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

// One story in order: the steps share the board, as two people at two browsers would.
describe.sequential('two people on one board', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let alice: Page;
  let bob: Page;
  let roomUrl: string;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    alice = (await browser.newUser()).page;
    bob = (await browser.newUser()).page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('A creates a board and draws a rectangle with the pointer', async () => {
    const roomId = await createBoard(alice, server.url, { name: 'Alice' });
    roomUrl = `${server.url}/r/${roomId}`;
    await drawRectangle(alice, { x: 250, y: 220 }, { x: 420, y: 340 });
    await waitForShapeCount(alice, 1);
    expect((await shapes(alice))[0].type).toBe('geo');
    await alice.getByTestId('connection-status').and(alice.locator('[data-state="synced"]')).waitFor();
  });

  test('B opens the link, enters a name and sees the rectangle', async () => {
    await openBoardAsNewGuest(bob, roomUrl, 'Bob');
    await waitForBoard(bob);
    await waitForShapeCount(bob, 1, 1_000);
    expect(await shapes(bob)).toEqual(await shapes(alice));
  });

  test("A's next rectangle reaches B within one second", async () => {
    await drawRectangle(alice, { x: 500, y: 220 }, { x: 640, y: 330 });
    const drawnAt = Date.now();
    await waitForShapeCount(bob, 2, 1_000);
    expect(Date.now() - drawnAt).toBeLessThan(1_000);
  });

  test("B's cursor and name appear for A", async () => {
    await bob.mouse.move(300, 450, { steps: 4 });
    await bob.mouse.move(320, 470, { steps: 4 });
    await alice.waitForFunction(() => window.editor!.getCollaborators().some((c) => c.userName === 'Bob' && c.cursor !== null));
    const seen = await alice.evaluate(() => window.editor!.getCollaborators().map((c) => ({ name: c.userName, color: c.color })));
    expect(seen).toEqual([{ name: 'Bob', color: expect.stringMatching(/^#[0-9a-f]{6}$/i) }]);
    // tldraw draws the peer's cursor with their name next to it.
    await alice.locator('.tl-collaborators__item', { hasText: 'Bob' }).first().waitFor({ state: 'attached' });
  });

  test('offline edits are kept, shown as such, and sent on reconnect', async () => {
    const status = alice.getByTestId('connection-status');
    await alice.evaluate(() => window.provider!.disconnect());
    await alice.locator('[data-testid="connection-status"][data-state="offline"]').waitFor();
    expect(await status.textContent()).toBe('Offline');

    await drawRectangle(alice, { x: 250, y: 400 }, { x: 360, y: 480 });
    await alice.locator('[data-testid="connection-status"][data-state="unsynced"]').waitFor();
    // The badge counts what waits: the same number the provider has.
    const waiting = Number(await status.getAttribute('data-unsynced'));
    expect(waiting).toBeGreaterThan(0);
    expect(await status.textContent()).toBe(`Offline · ${waiting === 1 ? '1 change' : `${waiting} changes`} kept`);
    expect((await shapes(bob)).length).toBe(2);

    await alice.evaluate(() => window.provider!.connect());
    await alice.locator('[data-testid="connection-status"][data-state="synced"]').waitFor();
    await waitForShapeCount(bob, 3);
    await alice.keyboard.press('Escape');
  });

  test('screenshot of both browsers side by side', async () => {
    // Let each side's presence settle first, so the picture shows the current cursors.
    await alice.mouse.move(560, 420, { steps: 3 });
    await bob.mouse.move(330, 470, { steps: 3 });
    for (const [viewer, peer, name] of [
      [alice, bob, 'Bob'],
      [bob, alice, 'Alice'],
    ] as const) {
      const pointer = await peer.evaluate(() => {
        const { x, y } = window.editor!.store.get('pointer:pointer' as never) as unknown as { x: number; y: number };
        return { x, y };
      });
      await viewer.waitForFunction(
        ({ name, pointer }) =>
          window
            .editor!.getCollaborators()
            .some(
              (c) =>
                c.userName === name &&
                c.selectedShapeIds.length === 0 &&
                Math.abs(c.cursor!.x - pointer.x) < 1 &&
                Math.abs(c.cursor!.y - pointer.y) < 1,
            ),
        { name, pointer },
      );
    }
    // The README's picture is refreshed on request only, so test runs leave the tree clean.
    const file = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots/two-browsers.png' : join(tmpdir(), 'scrible-two-browsers.png');
    await saveSideBySide([alice, bob], file);
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });
});
