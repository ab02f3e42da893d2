/**
 * Turns tldraw richText (a TipTap document) into plain lines of styled runs. Lists become
 * bullet or number prefixes; headings become bold; unknown nodes contribute their text.
 */

/** A piece of a line sharing one style. */
export interface TextRun {
  text: string;
  bold: boolean;
  italic: boolean;
  code: boolean;
  underline: boolean;
  strike: boolean;
}

/** One paragraph (hard line) of runs. */
export type Paragraph = TextRun[];

interface RichNode {
  type?: string;
  text?: string;
  content?: RichNode[];
  marks?: { type?: string }[];
  attrs?: Record<string, unknown>;
}

/** True when the doc has no text to draw (tldraw's "empty" rule plus whitespace-only). */
export function isRichTextEmpty(doc: unknown): boolean {
  return toParagraphs(doc).every((p) => p.every((r) => r.text.trim() === ''));
}

/** Joins the paragraphs' text with "\n"; used by tests and logs. */
export function richTextToPlain(doc: unknown): string {
  return toParagraphs(doc)
    .map((p) => p.map((r) => r.text).join(''))
    .join('\n');
}

/** Splits a rich text doc into paragraphs of runs. */
export function toParagraphs(doc: unknown): Paragraph[] {
  const out: Paragraph[] = [];
  const root = doc as RichNode | null;
  if (!root || !Array.isArray(root.content)) return out;
  for (const block of root.content) addBlock(block, out, '', false);
  return out;
}

function addBlock(node: RichNode, out: Paragraph[], prefix: string, bold: boolean): void {
  switch (node.type) {
    case 'bulletList':
    case 'orderedList': {
      const start = Number(node.attrs?.start ?? 1);
      (node.content ?? []).forEach((item, i) => {
        const marker = node.type === 'bulletList' ? '• ' : `${start + i}. `;
        // The marker goes on the item's first line; its later blocks are indented to match.
        (item.content ?? []).forEach((child, j) => addBlock(child, out, j === 0 ? prefix + marker : `${prefix}   `, bold));
      });
      return;
    }
    default: {
      if (node.type !== 'paragraph' && node.type !== 'heading' && !hasInline(node)) {
        for (const child of node.content ?? []) addBlock(child, out, prefix, bold);
        return;
      }
      let line: Paragraph = prefix ? [run(prefix, {})] : [];
      for (const inline of node.content ?? []) {
        if (inline.type === 'hardBreak') {
          out.push(line);
          line = [];
        } else if (typeof inline.text === 'string') {
          line.push(run(inline.text, markSet(inline.marks), bold || node.type === 'heading'));
        }
      }
      out.push(line);
    }
  }
}

function hasInline(node: RichNode): boolean {
  return (node.content ?? []).some((c) => c.type === 'text' || c.type === 'hardBreak');
}

function markSet(marks: RichNode['marks']): Record<string, boolean> {
  const set: Record<string, boolean> = {};
  for (const m of marks ?? []) if (m.type) set[m.type] = true;
  return set;
}

function run(text: string, marks: Record<string, boolean>, bold = false): TextRun {
  return {
    text,
    bold: bold || !!marks.bold,
    italic: !!marks.italic,
    code: !!marks.code,
    underline: !!marks.underline || !!marks.link,
    strike: !!marks.strike,
  };
}
