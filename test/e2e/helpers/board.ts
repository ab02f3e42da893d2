/// <reference path="../../../web/src/globals.d.ts" />
// The page globals (window.editor, window.provider) are the app's own declarations.
import type { Page } from 'playwright-core';

/** A shape as the tests look at it (a slice of tldraw's TLShape). */
export interface ShapeSummary {
  id: string;
  type: string;
  x: number;
  y: number;
}

/** Fills the start page (the person's name, the board's) and creates a board; resolves with its room id once it is open. */
export async function createBoard(
  page: Page,
  baseUrl: string,
  options: { name: string; boardName?: string; visibility?: 'public' | 'private'; password?: string },
): Promise<string> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('guest-name').fill(options.name);
  if (options.boardName) await page.getByTestId('room-name').fill(options.boardName);
  if (options.visibility) await page.getByTestId('visibility').selectOption(options.visibility);
  if (options.password) await page.getByTestId('new-room-password').fill(options.password);
  await page.getByTestId('create-room').click();
  await page.waitForURL(/\/r\/[^/?]+/);
  await waitForBoard(page);
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
}

/** Opens a board link as a person without a guest identity yet: name first, then the board. */
export async function openBoardAsNewGuest(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('guest-name').fill(name);
  await page.getByTestId('guest-submit').click();
}

/** Waits until the editor is mounted and the first sync with the server has happened. */
export async function waitForBoard(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean(window.editor && window.provider?.isSynced));
  await page.locator('.tl-canvas').waitFor();
}

/** The shapes on the current page of this browser's editor. */
export function shapes(page: Page): Promise<ShapeSummary[]> {
  return page.evaluate(() => window.editor!.getCurrentPageShapes().map(({ id, type, x, y }) => ({ id, type, x, y })));
}

/** Resolves once the browser's editor holds `count` shapes, failing after `timeout` ms. */
export async function waitForShapeCount(page: Page, count: number, timeout = 5_000): Promise<void> {
  await page.waitForFunction((expected) => window.editor?.getCurrentPageShapes().length === expected, count, { timeout });
}

/**
 * Draws a rectangle the way a person does: pick the rectangle tool in tldraw's toolbar, then
 * drag on the canvas from `from` to `to` (viewport coordinates).
 */
export async function drawRectangle(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const tool = page.getByTestId('tools.rectangle');
  if (!(await tool.isVisible())) await page.getByTestId('tools.more-button').click();
  await tool.click();
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/** Turns a link the server built from PUBLIC_URL into one on the test server's origin. */
export function onOrigin(link: string, baseUrl: string): string {
  const url = new URL(link);
  // The invite token rides in the fragment (API.md): keep it.
  return `${baseUrl}${url.pathname}${url.search}${url.hash}`;
}
