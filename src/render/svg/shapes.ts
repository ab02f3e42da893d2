/**
 * The renderer for each default shape type, and each shape's outline as arrows see it.
 */
import type { TLGeoShape, TLShape } from '@tldraw/tlschema';
import type { RenderContext, ShapeRenderer } from './context.ts';
import { corners, type Vec } from './geometry.ts';
import { geoOutlines, outlinePoints } from './geo-outlines.ts';
import { arrowRenderer } from './shape-arrow.ts';
import { drawRenderer, highlightRenderer } from './shape-draw.ts';
import { frameRenderer } from './shape-frame.ts';
import { geoRenderer } from './shape-geo.ts';
import { lineRenderer } from './shape-line.ts';
import { imageRenderer, placeholderRenderer } from './shape-media.ts';
import { noteRenderer } from './shape-note.ts';
import { textRenderer } from './shape-text.ts';

// Each renderer is typed for its own shape; the map is looked up by the record's `type`,
// which tlschema validation ties to the matching props.
// biome-ignore lint/suspicious/noExplicitAny: each renderer takes its own shape type
const RENDERERS: Record<string, ShapeRenderer<any>> = {
  geo: geoRenderer,
  draw: drawRenderer,
  highlight: highlightRenderer,
  text: textRenderer,
  arrow: arrowRenderer,
  line: lineRenderer,
  note: noteRenderer,
  frame: frameRenderer,
  image: imageRenderer,
  video: placeholderRenderer,
  embed: placeholderRenderer,
  bookmark: placeholderRenderer,
};

/** The renderer of a shape type; undefined for groups and unknown types. */
export function rendererFor(type: string): ShapeRenderer | undefined {
  return RENDERERS[type];
}

/** The outline arrows bind to: the geo kind's outline, else the shape's bounds rectangle. */
export function localOutline(shape: TLShape, ctx: RenderContext): Vec[] | null {
  if (shape.type === 'geo') {
    const p = (shape as TLGeoShape).props;
    const pts = outlinePoints(geoOutlines(p.geo, p.w, p.h + p.growY, shape.id)[0]);
    if (!p.flipX && !p.flipY) return pts;
    return pts.map((q) => ({ x: p.flipX ? p.w - q.x : q.x, y: p.flipY ? p.h + p.growY - q.y : q.y }));
  }
  if (shape.type === 'arrow' || shape.type === 'group') return null;
  const b = rendererFor(shape.type)?.bounds(shape, ctx);
  return b ? corners(b) : null;
}
