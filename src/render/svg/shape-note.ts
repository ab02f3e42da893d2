/**
 * Note shapes: a 200 × (200 + growY) sticky note (× scale) in the colour's note fill with a
 * soft shadow and no outline, and its label.
 */
import type { TLNoteShape } from '@tldraw/tlschema';
import type { ShapeRenderer } from './context.ts';
import { fmt } from './geometry.ts';
import { boxLabelSvg } from './label.ts';
import { colorOf, LABEL_FONT_SIZE, THEME } from './theme.ts';

const NOTE_SIZE = 200;

/** The note's box size. */
function size(shape: TLNoteShape): { w: number; h: number } {
  return { w: NOTE_SIZE * shape.props.scale, h: (NOTE_SIZE + shape.props.growY) * shape.props.scale };
}

/** Renders `note` shapes. */
export const noteRenderer: ShapeRenderer<TLNoteShape> = {
  bounds(shape) {
    return { x: 0, y: 0, ...size(shape) };
  },
  render(shape, ctx) {
    const p = shape.props;
    const { w, h } = size(shape);
    const filter = ctx.defs.use(
      'note-shadow',
      () =>
        '<filter id="note-shadow" x="-10%" y="-10%" width="130%" height="150%"><feDropShadow dx="0" dy="3" stdDeviation="3" flood-color="#000" flood-opacity="0.25"/></filter>',
    );
    const fill = colorOf(p.color).noteFill;
    const rect = `<rect width="${fmt(w)}" height="${fmt(h)}" rx="1" fill="${fill}"`;
    const color = p.labelColor === 'black' ? THEME.noteText : colorOf(p.labelColor).solid;
    const fontSize = (LABEL_FONT_SIZE[p.size] ?? 22) * p.scale * (p.fontSizeAdjustment ?? 1);
    const label = boxLabelSvg(
      p.richText,
      { font: p.font, size: fontSize, color },
      { w, h, padding: 16 * p.scale, align: p.align, verticalAlign: p.verticalAlign },
      ctx,
    );
    return `${rect} filter="${filter}"/>${rect}/>${label}`;
  },
};
