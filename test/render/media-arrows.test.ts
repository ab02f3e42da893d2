import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderExport } from '../../src/render/index.ts';
import { arrowBinding, arrowProps } from '../helpers/tldraw-records.ts';
import { boardOf, decodePng, geo, pixel, recordingLog, shape } from './helpers.ts';

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
      arrowProps({
        kind: 'elbow',
        dash: 'dotted',
        fill: 'fill',
        color: 'blue',
        end: { x: 300, y: 200 },
        arrowheadStart: 'diamond',
        arrowheadEnd: 'square',
      }),
      'a3',
    );
    const board = boardOf(
      [geo('a', 0, 0, {}, 'a1'), geo('b', 300, 200, {}, 'a2'), arrow],
      [arrowBinding('binding:s', 'shape:el', 'shape:a', 'start'), arrowBinding('binding:e', 'shape:el', 'shape:b', 'end')],
    );
    const svg = new TextDecoder().decode((await renderExport(board, { format: 'svg' })).body);
    const body = svg.match(/data-shape-id="shape:el"[^>]*>(.*?)<\/g>/)?.[1] ?? '';
    // Leaves the first box at its right edge (x=100 plus the head gap), turns at x=200.
    expect(body).toMatch(/M11[0-9.]*,50L200,50/);
    expect(body).toMatch(/L200,250/);
    expect(body).toContain('fill="#4465e9"');
  });
});
