import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderExport } from '../../src/render/index.ts';
import { boardOf, decodePng, geo, pixel, recordingLog } from './helpers.ts';

const shape = (id: string, type: string, x: number, y: number, props: Record<string, unknown>, index = 'a1') => ({
  id: `shape:${id}`,
  typeName: 'shape',
  type,
  x,
  y,
  rotation: 0,
  index,
  parentId: 'page:p',
  isLocked: false,
  opacity: 1,
  meta: {},
  props,
});

function redPngDataUrl(): string {
  const png = new PNG({ width: 4, height: 4 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([255, 0, 0, 255], i);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

const imageProps = (assetId: string | null) => ({
  w: 80,
  h: 60,
  playing: true,
  url: '',
  assetId,
  crop: null,
  flipX: false,
  flipY: false,
  altText: 'photo',
});

describe('images and arrow kinds', () => {
  it('embeds image assets that carry data and draws a placeholder otherwise', async () => {
    const asset = {
      id: 'asset:img',
      typeName: 'asset',
      type: 'image',
      meta: {},
      props: { w: 4, h: 4, name: 'red.png', isAnimated: false, mimeType: 'image/png', src: redPngDataUrl() },
    };
    const board = boardOf(
      [shape('img', 'image', 0, 0, imageProps('asset:img'), 'a1'), shape('missing', 'image', 200, 0, imageProps(null), 'a2')],
      [asset],
    );
    const log = recordingLog();
    const svg = new TextDecoder().decode((await renderExport(board, { format: 'svg', log })).body);
    expect(log.warnings).toEqual([]);
    expect(svg).toContain('<image href="data:image/png;base64,');
    expect(svg).toContain('>photo</text>');
    const png = decodePng((await renderExport(board, { format: 'png', padding: 0 })).body);
    expect(pixel(png, 40, 30).slice(0, 3)).toEqual([255, 0, 0]);
  });

  it('draws elbow arrows bound to shapes as orthogonal paths with heads', async () => {
    const arrow = shape(
      'el',
      'arrow',
      0,
      0,
      {
        kind: 'elbow',
        elbowMidPoint: 0.5,
        dash: 'dotted',
        size: 'm',
        fill: 'fill',
        color: 'blue',
        labelColor: 'black',
        bend: 0,
        start: { x: 0, y: 0 },
        end: { x: 300, y: 200 },
        arrowheadStart: 'diamond',
        arrowheadEnd: 'square',
        labelPosition: 0.5,
        font: 'draw',
        scale: 1,
        richText: { type: 'doc', content: [{ type: 'paragraph' }] },
      },
      'a3',
    );
    const board = boardOf(
      [geo('a', 0, 0, {}, 'a1'), geo('b', 300, 200, {}, 'a2'), arrow],
      [
        {
          id: 'binding:s',
          typeName: 'binding',
          type: 'arrow',
          fromId: 'shape:el',
          toId: 'shape:a',
          meta: {},
          props: { terminal: 'start', normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
        },
        {
          id: 'binding:e',
          typeName: 'binding',
          type: 'arrow',
          fromId: 'shape:el',
          toId: 'shape:b',
          meta: {},
          props: { terminal: 'end', normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
        },
      ],
    );
    const svg = new TextDecoder().decode((await renderExport(board, { format: 'svg' })).body);
    const body = svg.match(/data-shape-id="shape:el"[^>]*>(.*?)<\/g>/)?.[1] ?? '';
    // Leaves the first box at its right edge (x=100 plus the head gap), turns at x=200.
    expect(body).toMatch(/M11[0-9.]*,50L200,50/);
    expect(body).toMatch(/L200,250/);
    expect(body).toContain('fill="#4465e9"');
  });
});
