/**
 * Where an arrow's ends are: bound ends follow their binding (anchor on the target, clipped
 * at its outline, pulled back by the arrowhead gap); free ends use props.start/end.
 * Everything is in the arrow's local space.
 */
import type { TLArrowBinding, TLArrowShape, TLShape } from '@tldraw/tlschema';
import type { RenderContext } from './context.ts';
import { apply, invert, multiply, type Vec } from './geometry.ts';
import { strokeWidth } from './theme.ts';

/** One end of an arrow before clipping. */
export interface Terminal {
  /** The anchor (or free point) in arrow-local space. */
  point: Vec;
  /** The bound target's outline in arrow-local space; null when free or exact. */
  outline: Vec[] | null;
  /** Distance to pull the end back from the outline (arrowhead gap); 0 for none. */
  gap: number;
}

/** Resolves both terminals of an arrow. */
export function arrowTerminals(shape: TLArrowShape, ctx: RenderContext): { start: Terminal; end: Terminal } {
  const bindings = ctx.bindingsByArrow.get(shape.id) ?? [];
  const startB = bindings.find((b) => b.props.terminal === 'start');
  const endB = bindings.find((b) => b.props.terminal === 'end');
  const same = !!startB && !!endB && startB.toId === endB.toId;
  return {
    start: terminal(shape, 'start', startB, same, ctx),
    end: terminal(shape, 'end', endB, same, ctx),
  };
}

function terminal(shape: TLArrowShape, which: 'start' | 'end', b: TLArrowBinding | undefined, same: boolean, ctx: RenderContext): Terminal {
  const free: Terminal = { point: shape.props[which], outline: null, gap: 0 };
  const target = b ? ctx.shapes.get(b.toId) : undefined;
  if (!b || !target) return free;
  const bounds = ctxBounds(target, ctx);
  if (!bounds) return free;
  // Imprecise bindings aim at the centre; binding both ends to one shape forces precision.
  const precise = b.props.isPrecise || same;
  const clamp = (v: number) => Math.min(0.999, Math.max(0.001, v));
  const anchor = precise ? { x: clamp(b.props.normalizedAnchor.x), y: clamp(b.props.normalizedAnchor.y) } : { x: 0.5, y: 0.5 };
  const toArrow = multiply(invert(ctx.pageTransform(shape.id)), ctx.pageTransform(target.id));
  const point = apply(toArrow, { x: bounds.x + anchor.x * bounds.w, y: bounds.y + anchor.y * bounds.h });
  const outlineLocal = b.props.isExact ? null : ctx.localOutline(target);
  const head = which === 'start' ? shape.props.arrowheadStart : shape.props.arrowheadEnd;
  const arrowSw = strokeWidth(shape.props.size) * shape.props.scale;
  const gap = head !== 'none' && !b.props.isExact ? (10 + arrowSw / 2 + targetStroke(target) / 2) * shape.props.scale : 0;
  return { point, outline: outlineLocal ? outlineLocal.map((p) => apply(toArrow, p)) : null, gap };
}

function ctxBounds(target: TLShape, ctx: RenderContext) {
  const outline = ctx.localOutline(target);
  if (!outline || outline.length === 0) return null;
  const xs = outline.map((p) => p.x),
    ys = outline.map((p) => p.y);
  const x = Math.min(...xs),
    y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

function targetStroke(target: TLShape): number {
  const props = target.props as { size?: unknown; scale?: unknown };
  if (props.size === undefined) return 0;
  return strokeWidth(props.size) * (typeof props.scale === 'number' ? props.scale : 1);
}
