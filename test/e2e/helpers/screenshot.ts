import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Saves screenshots of several pages next to each other as one PNG. The composition is
 * done by Chromium itself (a blank page with the shots as images), so no image library
 * is needed.
 */
export async function saveSideBySide(pages: Page[], file: string): Promise<void> {
  const shots = await Promise.all(pages.map((page) => page.screenshot({ type: 'png' })));
  const sizes = pages.map((page) => page.viewportSize() ?? { width: 900, height: 640 });
  const gap = 16;
  const width = sizes.reduce((sum, size) => sum + size.width, 0) + gap * (pages.length + 1);
  const height = Math.max(...sizes.map((size) => size.height)) + gap * 2;

  const canvas = await pages[0].context().browser()!.newPage({ viewport: { width, height } });
  try {
    const images = shots.map((shot) => `<img src="data:image/png;base64,${shot.toString('base64')}">`).join('');
    await canvas.setContent(`<body style="margin:0;padding:${gap}px;display:flex;gap:${gap}px;background:#343a40">${images}</body>`);
    await canvas.waitForFunction(() => [...document.images].every((image) => image.complete));
    mkdirSync(path.dirname(file), { recursive: true });
    await canvas.screenshot({ path: file, type: 'png' });
  } finally {
    await canvas.close();
  }
}
