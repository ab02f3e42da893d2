/**
 * Builders of valid tldraw records (shapes, bindings, rich text) for tests and for the
 * export benchmarks. bench/ imports this module too (bench -> test/helpers, never the
 * other way), so it imports nothing test-only: no vitest, no test helpers.
 */
import { toRichText } from '@tldraw/tlschema';

/** Where a shape sits; tldraw's defaults for the rest (unrotated, unlocked, opaque). */
export interface ShapePlace {
  x?: number;
  y?: number;
  /** Fractional index among its siblings. @default 'a1' */
  index?: string;
  /** @default 'page:p' (the page of `boardRecords`) */
  parentId?: string;
}

/** A shape record of `type` around `props`. */
export function shapeRecord<P extends Record<string, unknown>>(id: string, type: string, props: P, place: ShapePlace = {}) {
  return {
    id,
    typeName: 'shape',
    type,
    x: place.x ?? 0,
    y: place.y ?? 0,
    rotation: 0,
    index: place.index ?? 'a1',
    parentId: place.parentId ?? 'page:p',
    isLocked: false,
    opacity: 1,
    meta: {},
    props,
  };
}

/** The document record and one page, `page:p`: what every board starts with. */
export function boardRecords(name = ''): Record<string, unknown>[] {
  return [
    { id: 'document:document', typeName: 'document', gridSize: 10, name, meta: {} },
    { id: 'page:p', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} },
  ];
}

/** Rich text of plain lines, a paragraph each, as tldraw makes it (an empty line is an empty paragraph). */
export function richText(...lines: string[]) {
  return toRichText(lines.join('\n'));
}

/** Props of a geo shape: a 100 × 100 black rectangle without a label, unless `overrides` say otherwise. */
export function geoProps(overrides: Record<string, unknown> = {}) {
  return {
    w: 100,
    h: 100,
    geo: 'rectangle',
    dash: 'solid',
    growY: 0,
    url: '',
    scale: 1,
    flipX: false,
    flipY: false,
    color: 'black',
    labelColor: 'black',
    fill: 'none',
    size: 'm',
    font: 'draw',
    align: 'middle',
    verticalAlign: 'middle',
    richText: richText(''),
    ...overrides,
  };
}

/** Props of an arrow: a straight black one 100 px to the right with a head at its end, unless `overrides` say otherwise. */
export function arrowProps(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'arc',
    elbowMidPoint: 0.5,
    dash: 'solid',
    size: 'm',
    fill: 'none',
    color: 'black',
    labelColor: 'black',
    bend: 0,
    start: { x: 0, y: 0 },
    end: { x: 100, y: 0 },
    arrowheadStart: 'none',
    arrowheadEnd: 'arrow',
    labelPosition: 0.5,
    font: 'draw',
    scale: 1,
    richText: richText(''),
    ...overrides,
  };
}

/** Binds one end of an arrow to the centre of a shape. */
export function arrowBinding(id: string, arrowId: string, shapeId: string, terminal: 'start' | 'end') {
  return {
    id,
    typeName: 'binding',
    type: 'arrow',
    fromId: arrowId,
    toId: shapeId,
    meta: {},
    props: { terminal, normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
  };
}

/** A valid tldraw note on page:page (the records a fresh tldraw board has). */
export function note(id: string, text: string, x = 0) {
  return shapeRecord(
    id,
    'note',
    {
      color: 'yellow',
      labelColor: 'black',
      size: 'm',
      font: 'draw',
      fontSizeAdjustment: 1,
      align: 'middle',
      verticalAlign: 'middle',
      growY: 0,
      url: '',
      richText: richText(text),
      scale: 1,
      textLastEditedBy: null,
    },
    { x, parentId: 'page:page' },
  );
}

/** The page a fresh tldraw board has. */
export const page = { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };
