/**
 * Text shapes: richText wrapped at `w` (unless autoSize), aligned by textAlign, with the
 * box sized as tldraw sizes it (measured width + 1, at least 16; height = lines × line height).
 */
import type { TLTextShape } from '@tldraw/tlschema';
import type { RenderContext, ShapeRenderer } from './context.ts';
import type { Box } from './geometry.ts';
import { anchorOf } from './label.ts';
import { toParagraphs } from './rich-text.ts';
import { linesToSvg, textHeight, wrapText, type LaidLine, type TextStyle } from './text-layout.ts';
import { colorOf, TEXT_FONT_SIZE } from './theme.ts';

function layout(shape: TLTextShape, ctx: RenderContext): { lines: LaidLine[]; style: TextStyle; box: Box } {
  const p = shape.props;
  const style = { font: p.font, size: (TEXT_FONT_SIZE[p.size] ?? 24) * p.scale, color: colorOf(p.color).solid };
  const lines = wrapText(ctx.measurer, toParagraphs(p.richText), style, p.autoSize ? undefined : p.w * p.scale);
  const measured = Math.max(0, ...lines.map((l) => l.width));
  const w = p.autoSize ? Math.max(16, measured + 1) : p.w * p.scale;
  const h = Math.max(style.size, textHeight(Math.max(1, lines.length), style.size));
  return { lines, style, box: { x: 0, y: 0, w, h } };
}

/** Renders `text` shapes. */
export const textRenderer: ShapeRenderer<TLTextShape> = {
  bounds(shape, ctx) {
    return layout(shape, ctx).box;
  },
  render(shape, ctx) {
    const { lines, style, box } = layout(shape, ctx);
    const anchor = anchorOf(shape.props.textAlign);
    const x = anchor === 'start' ? 0 : anchor === 'end' ? box.w : box.w / 2;
    // Text shapes are centred vertically in their box.
    const top = (box.h - textHeight(lines.length, style.size)) / 2;
    return linesToSvg(lines, style, x, top, anchor);
  },
};
