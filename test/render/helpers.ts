/**
 * Test helpers: the fixture board loaded through a real Y.Doc, PNG decoding, a logger
 * that records warnings, and small boards (records from test/helpers/tldraw-records.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import * as Y from 'yjs';
import { parseTldrFile, readBoardFromYDoc, writeBoardToYDoc, type Board } from '../../src/render/index.ts';
import { boardRecords, geoProps, shapeRecord } from '../helpers/tldraw-records.ts';

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
  return { schema: fixtureFile().schema, records: [...boardRecords(), ...shapes, ...extra] as Board['records'] };
}

/** A shape record on `page:p` (id without its `shape:` prefix). */
export function shape(id: string, type: string, x: number, y: number, props: Record<string, unknown>, index = 'a1') {
  return shapeRecord(`shape:${id}`, type, props, { x, y, index });
}

/** A geo shape record with defaults, overridable. */
export function geo(id: string, x: number, y: number, props: Record<string, unknown> = {}, index = 'a1') {
  return shape(id, 'geo', x, y, geoProps(props), index);
}

/** Every `text` string in the fixture's records, plus frame names. */
export function fixtureTexts(): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'text' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(visit);
    }
  };
  for (const r of fixtureFile().records as { type?: string; props?: { name?: string } }[]) {
    visit(r);
    if (r.type === 'frame' && r.props?.name) out.push(r.props.name);
  }
  return out;
}
