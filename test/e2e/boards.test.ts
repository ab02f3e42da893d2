import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { api } from './helpers/api.ts';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, openBoardAsNewGuest, waitForBoard } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

/** The names in the boards list, top to bottom. */
async function listedNames(page: Page): Promise<string[]> {
  return await page.getByTestId('my-boards').getByTestId('board-link').allTextContents();
}

/** The list entry of one board. */
function item(page: Page, roomId: string) {
  return page.locator(`[data-testid="board-item"][data-room-id="${roomId}"]`);
}

/** Opens the start page and waits until the boards list has been read. */
async function openStartPage(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
}

// One story in order: Alice makes boards, Bob visits one, Alice renames and deletes from the list.
describe.sequential('the boards page', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let alice: Page;
  let bob: Page;
  let planning: string;
  let sketches: string;

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

  test('a browser without an identity shows no boards list', async () => {
    await alice.goto(`${server.url}/`);
    await alice.getByTestId('create-room').waitFor();
    expect(await alice.getByTestId('my-boards').count()).toBe(0);
  });

  test('boards made earlier are listed, newest activity first, also after a reload', async () => {
    planning = await createBoard(alice, server.url, { name: 'Alice', boardName: 'Planning' });
    sketches = await createBoard(alice, server.url, { name: 'Alice', boardName: 'Sketches' });
    await openStartPage(alice, server.url);
    expect(await listedNames(alice)).toEqual(['Sketches', 'Planning']);
    expect(await item(alice, planning).getByTestId('board-last-active').textContent()).toMatch(/now|second|minute/);

    await alice.reload();
    await alice.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
    expect(await listedNames(alice)).toEqual(['Sketches', 'Planning']);
    // No broken picture: each board shows its thumbnail (through ?token=, which an <img>
    // can carry), or a plain tile where there is none.
    const images = alice.getByTestId('my-boards').locator('img');
    await expect
      .poll(() => images.evaluateAll((all) => all.every((image) => (image as HTMLImageElement).complete)), { timeout: 30_000 })
      .toBe(true);
    const broken = await images.evaluateAll((all) => all.filter((image) => (image as HTMLImageElement).naturalWidth === 0).length);
    expect(broken).toBe(0);
  });

  test('a board link opens the board', async () => {
    await item(alice, planning).getByTestId('board-link').click();
    await alice.waitForURL(`${server.url}/r/${planning}`);
    await waitForBoard(alice);
    await alice.goBack();
    await alice.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
  });

  test('who is on a board is listed; a visitor sees the board as shared, without owner actions', async () => {
    await openBoardAsNewGuest(bob, `${server.url}/r/${planning}`, 'Bob');
    await waitForBoard(bob);
    // A visitor reads the board's name but cannot change it.
    await expect.poll(() => bob.title()).toBe('Planning · Scrible');
    expect(await bob.getByTestId('board-title').evaluate((title) => [title.tagName, title.textContent])).toEqual(['DIV', 'Planning']);
    await openStartPage(alice, server.url);
    await expect.poll(() => item(alice, planning).getByTestId('board-online').textContent()).toMatch(/Bob online/);
    expect(await item(alice, planning).getByTestId('board-rename').count()).toBe(1);

    const visitor = await browser.newUser();
    await openBoardAsNewGuest(visitor.page, `${server.url}/r/${sketches}`, 'Carol');
    await waitForBoard(visitor.page);
    await openStartPage(visitor.page, server.url);
    expect(await listedNames(visitor.page)).toEqual(['Sketches']);
    expect(await item(visitor.page, sketches).textContent()).toMatch(/shared with you/);
    expect(await item(visitor.page, sketches).getByTestId('board-rename').count()).toBe(0);
    expect(await item(visitor.page, sketches).getByTestId('board-delete').count()).toBe(0);
    await visitor.context.close();
  });

  test('screenshot of the boards page', async () => {
    // The README's picture is refreshed on request only, so test runs leave the tree clean.
    const file = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots/boards-page.png' : join(tmpdir(), 'scrible-boards-page.png');
    await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await alice.screenshot({ path: file, type: 'png' });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  test('a long list comes a page at a time', async () => {
    // Bob joins 13 more open boards (two owners: room creation is rate-limited per user).
    const bobToken = await bob.evaluate(() => (JSON.parse(localStorage.getItem('scrible.session')!) as { token: string }).token);
    const joined: string[] = [];
    for (const owner of ['Dana', 'Eve']) {
      const guest = await api<{ token: string }>(server.url, '/api/auth/guest', { name: owner });
      for (let i = 0; i < (owner === 'Dana' ? 7 : 6); i++) {
        const room = await api<{ id: string }>(server.url, '/api/rooms', { name: `${owner} ${i}`, visibility: 'public' }, guest.token);
        await api(server.url, `/api/rooms/${room.id}/join`, {}, bobToken);
        joined.push(room.id);
      }
    }
    // Bob's identity in a second browser window, since his first one stays on the board.
    const { page: bobsList } = await browser.newUser();
    await bobsList.goto(`${server.url}/`);
    await bobsList.evaluate(
      (session) => localStorage.setItem('scrible.session', session),
      await bob.evaluate(() => localStorage.getItem('scrible.session')!),
    );
    await openStartPage(bobsList, server.url);
    expect(await bobsList.getByTestId('board-item').count()).toBe(12);
    await bobsList.getByTestId('my-boards-more').click();
    await expect.poll(() => bobsList.getByTestId('board-item').count()).toBe(14);
    await bobsList.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
    const ids = await bobsList.getByTestId('board-item').evaluateAll((items) => items.map((entry) => entry.getAttribute('data-room-id')));
    expect(new Set(ids)).toEqual(new Set([planning, ...joined]));
    expect(await bobsList.getByTestId('my-boards-more').count()).toBe(0);
    await bobsList.context().close();
  });

  test('the owner renames a board in place; the new name stays after a reload', async () => {
    await item(alice, planning).getByTestId('board-rename').click();
    const input = item(alice, planning).getByTestId('board-rename-input');
    await input.fill('Roadmap 2025');
    await input.press('Enter');
    await expect.poll(() => listedNames(alice)).toContain('Roadmap 2025');

    await alice.reload();
    await alice.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
    expect(await listedNames(alice)).toContain('Roadmap 2025');

    // Escape leaves the name as it was.
    await item(alice, sketches).getByTestId('board-rename').click();
    await item(alice, sketches).getByTestId('board-rename-input').fill('Not this');
    await item(alice, sketches).getByTestId('board-rename-input').press('Escape');
    expect(await item(alice, sketches).getByTestId('board-link').textContent()).toBe('Sketches');
  });

  test('the owner renames the board from its header; the tab title follows', async () => {
    await item(alice, sketches).getByTestId('board-link').click();
    await waitForBoard(alice);
    await expect.poll(() => alice.title()).toBe('Sketches · Scrible');
    await alice.getByTestId('board-title').click();
    // Typed into the field, not taken as tldraw shortcuts ("r" is the rectangle tool).
    await alice.getByTestId('board-title-input').pressSequentially('Retro');
    await alice.getByTestId('board-title-input').press('Enter');
    await expect.poll(() => alice.getByTestId('board-title').textContent()).toBe('Retro');
    expect(await alice.title()).toBe('Retro · Scrible');
    expect(await alice.evaluate(() => window.editor!.getCurrentToolId())).toBe('select');

    // Escape keeps the name.
    await alice.getByTestId('board-title').click();
    await alice.getByTestId('board-title-input').fill('Discarded');
    await alice.getByTestId('board-title-input').press('Escape');
    expect(await alice.getByTestId('board-title').textContent()).toBe('Retro');

    await alice.reload();
    await waitForBoard(alice);
    await expect.poll(() => alice.title()).toBe('Retro · Scrible');
    await openStartPage(alice, server.url);
    expect(await listedNames(alice)).toEqual(['Retro', 'Roadmap 2025']);
  });

  test('deleting asks first, then removes the board for everyone', async () => {
    await item(alice, planning).getByTestId('board-delete').click();
    await item(alice, planning).getByTestId('board-delete-cancel').click();
    expect(await item(alice, planning).count()).toBe(1);

    await item(alice, planning).getByTestId('board-delete').click();
    await item(alice, planning).getByTestId('board-delete-confirm').click();
    await item(alice, planning).waitFor({ state: 'detached' });
    expect(await listedNames(alice)).toEqual(['Retro']);

    // Bob, still on it, is told; and the board is gone after a reload.
    await bob.locator('[data-testid="connection-status"][data-state="denied"]').waitFor();
    expect(await bob.getByTestId('connection-status').textContent()).toBe('Board deleted');
    await alice.reload();
    await alice.locator('[data-testid="my-boards"][aria-busy="false"]').waitFor();
    expect(await listedNames(alice)).toEqual(['Retro']);
    expect((await fetch(`${server.url}/api/rooms/${planning}`)).status).toBe(404);
  });
});
