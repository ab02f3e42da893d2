/**
 * Labels inside a box (geo and note shapes): wrapped at the box width minus padding and
 * aligned horizontally and vertically as the shape's align styles say.
 */
import type { RenderContext } from './context.ts';
import { isRichTextEmpty, toParagraphs } from './rich-text.ts';
import { linesToSvg, textHeight, wrapText, type TextStyle } from './text-layout.ts';

/** Where and how a label is drawn. */
export interface LabelBox {
  w: number;
  h: number;
  padding: number;
  align: unknown;
  verticalAlign: unknown;
}

/** `start`/`middle`/`end` (legacy variants included) as an SVG text-anchor. */
export function anchorOf(align: unknown): 'start' | 'middle' | 'end' {
  const a = String(align).replace('-legacy', '');
  return a === 'start' ? 'start' : a === 'end' ? 'end' : 'middle';
}

/** SVG for a label in a box; '' when the text is empty. */
export function boxLabelSvg(richText: unknown, style: TextStyle, box: LabelBox, ctx: RenderContext): string {
  if (isRichTextEmpty(richText)) return '';
  const inner = Math.max(1, box.w - box.padding * 2);
  const lines = wrapText(ctx.measurer, toParagraphs(richText), style, inner);
  const height = textHeight(lines.length, style.size);
  const v = String(box.verticalAlign);
  const top = v === 'start' ? box.padding : v === 'end' ? box.h - box.padding - height : (box.h - height) / 2;
  const anchor = anchorOf(box.align);
  const x = anchor === 'start' ? box.padding : anchor === 'end' ? box.w - box.padding : box.w / 2;
  return linesToSvg(lines, style, x, top, anchor);
}
