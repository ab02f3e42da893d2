/** A valid tldraw note on page:page (the records a fresh tldraw board has). */
export function note(id: string, text: string, x = 0) {
  return {
    id,
    typeName: 'shape',
    type: 'note',
    x,
    y: 0,
    rotation: 0,
    index: 'a1',
    parentId: 'page:page',
    isLocked: false,
    opacity: 1,
    meta: {},
    props: {
      color: 'yellow',
      labelColor: 'black',
      size: 'm',
      font: 'draw',
      fontSizeAdjustment: 1,
      align: 'middle',
      verticalAlign: 'middle',
      growY: 0,
      url: '',
      richText: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] },
      scale: 1,
      textLastEditedBy: null,
    },
  };
}
/** The page a fresh tldraw board has. */
export const page = { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };
