/**
 * What shape renderers share while one page is drawn: the page's shapes and transforms,
 * arrow bindings, assets, the text measurer and the `<defs>` collector.
 */
import type { TLArrowBinding, TLAsset, TLShape } from '@tldraw/tlschema';
import type { TextMeasurer } from '../fonts.ts';
import type { Defs } from './defs.ts';
import type { Box, Mat, Vec } from './geometry.ts';

/** Per-render state handed to every shape renderer. */
export interface RenderContext {
  measurer: TextMeasurer;
  defs: Defs;
  /** Every shape of the page by id. */
  shapes: Map<string, TLShape>;
  /** Page transform (parent × local) of a shape on the page. */
  pageTransform(id: string): Mat;
  /** Arrow bindings by arrow shape id. */
  bindingsByArrow: Map<string, TLArrowBinding[]>;
  assets: Map<string, TLAsset>;
  /** A shape's outline polygon in its local space (what arrows bind and clip to). */
  localOutline(shape: TLShape): Vec[] | null;
  /** SVG drawn under every shape (highlighter underlays), in page space. */
  underlay: string[];
}

/** Draws one kind of shape, in its local coordinate space. */
export interface ShapeRenderer<S extends TLShape = TLShape> {
  /** The geometry's local bounds used for export bounds; null when it has none. */
  bounds(shape: S, ctx: RenderContext): Box | null;
  /** SVG markup for the shape, in local space (the caller adds the transform). */
  render(shape: S, ctx: RenderContext): string;
}
