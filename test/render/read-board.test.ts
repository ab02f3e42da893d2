import { describe, expect, it } from 'vitest';
import { YKeyValue } from 'y-utility/y-keyvalue';
import * as Y from 'yjs';
import { readBoardFromYDoc, writeBoardToYDoc } from '../../src/render/index.ts';
import { fixtureFile } from './helpers.ts';

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

describe('readBoardFromYDoc / writeBoardToYDoc', () => {
  it('[§10] round-trips the fixture through tl_<roomId> and meta.schema', () => {
    const file = fixtureFile();
    const doc = new Y.Doc();
    writeBoardToYDoc(doc, 'r1', file);
    expect(doc.getMap('meta').get('schema')).toEqual(file.schema);
    expect(doc.getArray('tl_r1').length).toBe(file.records.length);
    const board = readBoardFromYDoc(doc, 'r1');
    expect(board.schema).toEqual(file.schema);
    expect([...board.records].sort(byId)).toEqual([...file.records].sort(byId));
  });

  it('[§10] survives a Yjs update round trip and matches what a YKeyValue client sees', () => {
    const a = new Y.Doc();
    writeBoardToYDoc(a, 'r2', fixtureFile());
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const kv = new YKeyValue<unknown>(b.getArray('tl_r2'));
    const board = readBoardFromYDoc(b, 'r2');
    expect(board.records.length).toBe(kv.map.size);
    for (const r of board.records) expect(kv.get(r.id)).toEqual(r);
  });

  it('[§10] takes the rightmost duplicate and drops session/presence records', () => {
    const doc = new Y.Doc();
    const arr = doc.getArray<{ key: string; val: unknown }>('tl_r3');
    arr.push([
      { key: 'page:a', val: { id: 'page:a', typeName: 'page', name: 'old', index: 'a1', meta: {} } },
      { key: 'camera:page:a', val: { id: 'camera:page:a', typeName: 'camera', x: 0, y: 0, z: 1, meta: {} } },
      { key: 'page:a', val: { id: 'page:a', typeName: 'page', name: 'new', index: 'a1', meta: {} } },
    ]);
    const board = readBoardFromYDoc(doc, 'r3');
    expect(board.records).toEqual([{ id: 'page:a', typeName: 'page', name: 'new', index: 'a1', meta: {} }]);
    expect(board.schema).toBeUndefined();
  });

  it('replaces existing records with the same id when loading into a room', () => {
    const doc = new Y.Doc();
    const file = fixtureFile();
    writeBoardToYDoc(doc, 'r4', file);
    writeBoardToYDoc(doc, 'r4', file);
    expect(readBoardFromYDoc(doc, 'r4').records.length).toBe(file.records.length);
  });
});
