/**
 * Test helpers: the fixture board loaded through a real Y.Doc, PNG decoding, and a logger
 * that records warnings.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import * as Y from 'yjs';
import { parseTldrFile, readBoardFromYDoc, writeBoardToYDoc, type Board } from '../../src/render/index.ts';

/** The fixture board with every default shape (a copy of shared/fixtures/board.tldr). */
export const FIXTURE = process.env.SCRIBLE_FIXTURE ?? fileURLToPath(new URL('../fixtures/board.tldr', import.meta.url));

/** The fixture .tldr as a board, straight from the file. */
export function fixtureFile(): Board {
  return parseTldrFile(readFileSync(FIXTURE, 'utf8'));
}

/** The fixture written into a fresh room doc with writeBoardToYDoc and read back. */
export function fixtureBoard(roomId = 'room-test'): Board {
  const doc = new Y.Doc();
  writeBoardToYDoc(doc, roomId, fixtureFile());
  return readBoardFromYDoc(doc, roomId);
}

/** A logger that keeps what it is given. */
export function recordingLog() {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  return { warnings, warn: (obj: Record<string, unknown>, msg: string) => void warnings.push({ obj, msg }) };
}

/** Decodes PNG bytes. */
export function decodePng(bytes: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(bytes));
}

/** RGBA of a pixel. */
export function pixel(png: PNG, x: number, y: number): [number, number, number, number] {
  const i = (png.width * Math.round(y) + Math.round(x)) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
}

/** A minimal valid board around the given shapes (one page `page:p`). */
export function boardOf(shapes: Record<string, unknown>[], extra: Record<string, unknown>[] = []): Board {
  const file = fixtureFile();
  return {
    schema: file.schema,
    records: [
      { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} },
      { id: 'page:p', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} },
      ...shapes,
      ...extra,
    ] as Board['records'],
  };
}

/** A geo shape record with defaults, overridable. */
export function geo(id: string, x: number, y: number, props: Record<string, unknown> = {}, index = 'a1') {
  return {
    id: `shape:${id}`,
    typeName: 'shape',
    type: 'geo',
    x,
    y,
    rotation: 0,
    index,
    parentId: 'page:p',
    isLocked: false,
    opacity: 1,
    meta: {},
    props: {
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
      richText: { type: 'doc', content: [{ type: 'paragraph' }] },
      ...props,
    },
  };
}

/** richText from plain lines. */
export function rich(...lines: string[]) {
  return {
    type: 'doc',
    content: lines.map((t) => (t ? { type: 'paragraph', content: [{ type: 'text', text: t }] } : { type: 'paragraph' })),
  };
}
