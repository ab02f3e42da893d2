import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, drawRectangle, onOrigin, openBoardAsNewGuest, shapes, waitForBoard, waitForShapeCount } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';
import type { ShapeSummary } from './helpers/board.ts';

/** Shapes in a stable order: tldraw's page order follows insertion, which a reload may change. */
const byId = (list: ShapeSummary[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));

describe.sequential('who may do what', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let owner: Page;
  let roomId: string;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    owner = (await browser.newUser()).page;
    roomId = await createBoard(owner, server.url, { name: 'Olivia' });
    await drawRectangle(owner, { x: 250, y: 220 }, { x: 420, y: 340 });
    await waitForShapeCount(owner, 1);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a viewer invite opens the board read-only; nothing the viewer does reaches the owner', async () => {
    await owner.getByTestId('share').click();
    await owner.getByTestId('invite-viewer').click();
    const link = await owner.getByTestId('invite-url-viewer').inputValue();
    expect(link).toContain(`/r/${roomId}#invite=`);

    const { page: viewer } = await browser.newUser();
    await openBoardAsNewGuest(viewer, onOrigin(link, server.url), 'Victor');
    await waitForBoard(viewer);
    await waitForShapeCount(viewer, 1);
    await viewer.getByTestId('view-only').waitFor();
    expect(await viewer.evaluate(() => window.editor!.getInstanceState().isReadonly)).toBe(true);
    expect(await viewer.getByTestId('share').count()).toBe(0);

    // By hand: the rectangle tool is not offered, and dragging only selects.
    expect(await viewer.getByTestId('tools.rectangle').count()).toBe(0);
    await viewer.keyboard.press('r');
    await viewer.mouse.move(500, 220);
    await viewer.mouse.down();
    await viewer.mouse.move(640, 330, { steps: 5 });
    await viewer.mouse.up();
    // By API (an embedding page could try): the store changes locally but nothing is sent.
    const sent = await viewer.evaluate(() => {
      const editor = window.editor!;
      const doc = window.provider!.document;
      const before = doc.store.clients.get(doc.clientID) ?? [];
      editor.run(() => editor.createShape({ type: 'geo', x: 700, y: 100 }), { ignoreShapeLock: true });
      const after = doc.store.clients.get(doc.clientID) ?? [];
      return { structsBefore: before.length, structsAfter: after.length, unsynced: window.provider!.unsyncedChanges };
    });
    expect(sent.structsAfter).toBe(sent.structsBefore);
    expect(sent.unsynced).toBe(0);

    // Barrier: a later change by the owner reaches the viewer, so anything the viewer had
    // sent before would have reached the owner by now.
    await drawRectangle(owner, { x: 250, y: 400 }, { x: 360, y: 480 });
    await viewer.waitForFunction(() => window.editor!.getCurrentPageShapes().some((shape) => shape.y > 300 && shape.y < 450));
    await waitForShapeCount(owner, 2);
    expect((await shapes(owner)).every((shape) => shape.x < 600)).toBe(true);
    await viewer.context().close();
  });

  test('reloading keeps the board', async () => {
    const before = await shapes(owner);
    await owner.reload();
    await waitForBoard(owner);
    await waitForShapeCount(owner, before.length);
    expect(byId(await shapes(owner))).toEqual(byId(before));
  });

  test('the board survives every client leaving (persisted, not only in memory)', async () => {
    const before = await shapes(owner);
    const context = owner.context();
    const storage = await context.storageState();
    await context.close();
    // The server stores and unloads the document when its last connection goes.
    await expect.poll(() => server.server.hocuspocus.getDocumentsCount(), { timeout: 15_000 }).toBe(0);
    const again = await browser.browser.newContext({ storageState: storage, viewport: { width: 900, height: 640 } });
    owner = await again.newPage();
    await owner.goto(`${server.url}/r/${roomId}`);
    await waitForBoard(owner);
    await waitForShapeCount(owner, before.length);
    expect(byId(await shapes(owner))).toEqual(byId(before));
    await owner.getByTestId('share').waitFor();
  });

  test('a password room refuses a wrong password and opens with the right one', async () => {
    const privateRoom = await createBoard(owner, server.url, {
      name: 'Olivia',
      visibility: 'private',
      password: 'correct horse',
    });
    const { page: guest } = await browser.newUser();
    await openBoardAsNewGuest(guest, `${server.url}/r/${privateRoom}`, 'Mallory');
    await guest.getByTestId('room-password').fill('wrong guess');
    await guest.getByTestId('room-password-submit').click();
    await expect.poll(() => guest.getByTestId('room-password-error').textContent()).toMatch(/wrong password/i);
    expect(await guest.evaluate(() => window.provider)).toBeUndefined();

    await guest.getByTestId('room-password').fill('correct horse');
    await guest.getByTestId('room-password-submit').click();
    await waitForBoard(guest);
    expect(await guest.evaluate(() => window.editor!.getInstanceState().isReadonly)).toBe(false);
    await guest.context().close();
  });

  test('a private room without an invite is refused', async () => {
    const closedRoom = await createBoard(owner, server.url, { name: 'Olivia', visibility: 'private' });
    const { page: stranger } = await browser.newUser();
    await openBoardAsNewGuest(stranger, `${server.url}/r/${closedRoom}`, 'Stranger');
    await stranger.getByTestId('room-error').waitFor();
    expect(await stranger.getByTestId('room-error').textContent()).toMatch(/private/i);
    await stranger.context().close();
  });
});
