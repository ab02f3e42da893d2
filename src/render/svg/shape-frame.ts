/**
 * Frame shapes: a white rectangle with a thin grey outline and the frame's name above its
 * top edge. Clipping of the frame's children is done by the page renderer.
 */
import type { TLFrameShape } from '@tldraw/tlschema';
import { familyOf } from '../fonts.ts';
import type { ShapeRenderer } from './context.ts';
import { fmt } from './geometry.ts';
import { colorOf, THEME } from './theme.ts';
import { escapeXml } from './xml.ts';

/** Renders `frame` shapes (without children). */
export const frameRenderer: ShapeRenderer<TLFrameShape> = {
  bounds(shape) {
    return { x: 0, y: 0, w: shape.props.w, h: shape.props.h };
  },
  render(shape) {
    const { w, h, name } = shape.props;
    // Without tldraw's showColors option every frame uses black's frame palette.
    const c = colorOf('black');
    const title = escapeXml(name.trim() === '' ? 'Frame' : name);
    // tldraw exports the heading in Arial; IBM Plex Sans is the closest shipped font.
    return (
      `<rect width="${fmt(w)}" height="${fmt(h)}" fill="${c.frameFill}" stroke="${c.frameStroke}" stroke-width="1"/>` +
      `<text x="0" y="-8" font-family="${familyOf('sans')}" font-weight="500" font-size="12" fill="${THEME.text}">${title}</text>`
    );
  },
};
