import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { createBoard, onOrigin, openBoardAsNewGuest, waitForBoard } from './helpers/board.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

/** A 320×200 PNG: four coloured quadrants, so a wrong or blank picture would show. */
async function quadrantsPng(): Promise<Buffer> {
  const width = 320;
  const height = 200;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = x < width / 2 ? (y < height / 2 ? [220, 40, 40] : [40, 160, 60]) : y < height / 2 ? [40, 80, 220] : [240, 200, 30];
      pixels.set([r, g, b], (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Drops a PNG file on the canvas the way a file dragged from the desktop arrives. */
async function dropPng(page: Page, png: Buffer, at: { x: number; y: number }): Promise<void> {
  const dataTransfer = await page.evaluateHandle((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'quadrants.png', { type: 'image/png' }));
    return transfer;
  }, png.toString('base64'));
  await page.dispatchEvent('.tl-canvas', 'dragover', { dataTransfer, clientX: at.x, clientY: at.y });
  await page.dispatchEvent('.tl-canvas', 'drop', { dataTransfer, clientX: at.x, clientY: at.y });
}

/** The image asset records in this browser's store: their `src`. */
function assetSources(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    window
      .editor!.getAssets()
      .filter((asset) => asset.type === 'image')
      .map((asset) => asset.props.src ?? ''),
  );
}

describe.sequential('pictures on a private board', () => {
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
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a dropped image is uploaded: its asset record holds an API URL, never a data: URL', async () => {
    roomId = await createBoard(alice, server.url, { name: 'Alice', visibility: 'private' });
    await dropPng(alice, await quadrantsPng(), { x: 400, y: 300 });
    await alice.waitForFunction(() => window.editor!.getCurrentPageShapes().some((shape) => shape.type === 'image'));
    await alice.waitForFunction(() => window.editor!.getAssets().some((asset) => asset.props.src?.startsWith('http')));
    const sources = await assetSources(alice);
    expect(sources).toEqual([expect.stringMatching(new RegExp(`^http://[^/]+/api/rooms/${roomId}/assets/[0-9a-f]{64}$`))]);
    expect(await alice.evaluate(() => window.editor!.getAssets()[0]!.props)).toMatchObject({ w: 320, h: 200, mimeType: 'image/png' });

    // What the server stores: the board holds the URL and nothing inlined.
    await alice.getByTestId('connection-status').and(alice.locator('[data-state="synced"]')).waitFor();
    const stored = await alice.evaluate(async (id) => {
      const token = (JSON.parse(localStorage.getItem('scrible.session')!) as { token: string }).token;
      const answer = await fetch(`/api/rooms/${id}/document`, { headers: { authorization: `Bearer ${token}` } });
      return (await answer.json()) as { records: Array<{ typeName: string; props?: { src?: string } }> };
    }, roomId);
    const assets = stored.records.filter((record) => record.typeName === 'asset');
    expect(assets.map((record) => record.props?.src)).toEqual(sources);
    expect(JSON.stringify(stored)).not.toContain('data:image');
  });

  test('a second browser sees the picture: the image loads through ?token=', async () => {
    await alice.getByTestId('share').click();
    await alice.getByTestId('invite-editor').click();
    const link = await alice.getByTestId('invite-url-editor').inputValue();
    await openBoardAsNewGuest(bob, onOrigin(link, server.url), 'Bob');
    await waitForBoard(bob);
    await bob.waitForFunction(() => window.editor!.getCurrentPageShapes().some((shape) => shape.type === 'image'));
    expect(await assetSources(bob)).toEqual(await assetSources(alice));

    // tldraw draws the picture as an <img> whose src is the resolved URL.
    const picture = bob.locator('.tl-shape img').first();
    await picture.waitFor({ state: 'attached' });
    await bob.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('.tl-shape img');
      return Boolean(image?.complete && image.naturalWidth > 0);
    });
    const loaded = await picture.evaluate((image: HTMLImageElement) => ({ src: image.src, width: image.naturalWidth }));
    expect(loaded.src).toContain(`${server.url}/api/rooms/${roomId}/assets/`);
    expect(loaded.src).toContain('token=');
    expect(loaded.width).toBeGreaterThan(0);
  });
});
