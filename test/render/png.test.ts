import { describe, expect, it } from 'vitest';
import { renderExport, renderSvg, validateBoard } from '../../src/render/index.ts';
import { boardOf, decodePng, fixtureBoard, geo, pixel } from './helpers.ts';

// The fixture's picture: viewBox 48 48 1644 1084 (content bounds + 32 padding).
const ORIGIN = { x: 48, y: 48 };
const near = (a: number[], b: number[], tol = 12) => a.slice(0, 3).every((v, i) => Math.abs(v - b[i]) <= tol);

describe('PNG export', () => {
  it('decodes, is board size × scale, and has ink where shapes are', async () => {
    for (const scale of [1, 2]) {
      const file = await renderExport(fixtureBoard(), { format: 'png', scale });
      expect(file.contentType).toBe('image/png');
      const png = decodePng(file.body);
      expect([png.width, png.height]).toEqual([1644 * scale, 1084 * scale]);
      const at = (x: number, y: number) => pixel(png, (x - ORIGIN.x) * scale, (y - ORIGIN.y) * scale);
      expect(near(at(200, 150), [0xdc, 0xe1, 0xf8])).toBe(true); // rectBlue, solid fill = blue semi
      expect(near(at(81, 150), [0x44, 0x65, 0xe9], 40)).toBe(true); // its blue outline
      expect(near(at(380, 400), [0xe1, 0x69, 0x19])).toBe(true); // diamondOrange, fill = orange solid
      expect(near(at(1560, 620), [0xfe, 0xd4, 0x9a])).toBe(true); // noteYellow
      expect(
        near(
          at(1330, 950),
          [0x1d, 0x1d, 0x1d].map((v) => (v + 0xf9) / 2),
          16,
        ),
      ).toBe(true); // 50% black circle
      expect(near(at(60, 60), [0xf9, 0xfa, 0xfb], 0)).toBe(true); // background padding
    }
  });

  it('is transparent outside shapes without background', async () => {
    const png = decodePng((await renderExport(fixtureBoard(), { format: 'png', background: false })).body);
    expect(pixel(png, 5, 5)[3]).toBe(0);
    expect(pixel(png, 200 - 48, 150 - 48)[3]).toBe(255);
  });

  it('renders text with the shipped fonts (ink inside the labelled box)', async () => {
    const png = decodePng((await renderExport(fixtureBoard(), { format: 'png' })).body);
    let dark = 0;
    for (let x = 960; x < 1100; x++) for (let y = 140; y < 190; y++) if (pixel(png, x - 48, y - 48)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(200);
  });

  it('gives an empty board a blank 64 × 64 image; clamps scale to 1…4', async () => {
    const png = decodePng((await renderExport(boardOf([]), { format: 'png' })).body);
    expect([png.width, png.height]).toEqual([64, 64]);
    expect(near(pixel(png, 32, 32), [0xf9, 0xfa, 0xfb], 0)).toBe(true);
    const big = decodePng((await renderExport(boardOf([]), { format: 'png', scale: 10 })).body);
    expect(big.width).toBe(256);
    expect(renderSvg(validateBoard(boardOf([]))).width).toBe(64);
  });

  it('fits a box when asked (thumbnails): down for large boards, up to 2× for small ones', async () => {
    const fit = { width: 512, height: 2048 };
    const wide = decodePng((await renderExport(fixtureBoard(), { format: 'png', fit })).body);
    expect([wide.width, wide.height]).toEqual([512, Math.round((1084 * 512) / 1644)]);
    const tall = decodePng((await renderExport(boardOf([geo('tall', 0, 0, { w: 100, h: 20_000 })]), { format: 'png', fit })).body);
    expect(tall.height).toBeLessThanOrEqual(2048);
    expect(tall.width).toBeLessThan(512);
    const small = decodePng((await renderExport(boardOf([]), { format: 'png', fit })).body);
    expect(small.width).toBe(128);
  });
});
