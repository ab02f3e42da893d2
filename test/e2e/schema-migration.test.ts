import { HocuspocusProvider } from '@hocuspocus/provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { YKeyValue } from 'y-utility/y-keyvalue';
import { createRoomAsGuest } from './helpers/api.ts';
import { openBoardAsNewGuest, waitForBoard, waitForShapeCount } from './helpers/board.ts';
import { launchBrowser, type E2EBrowser } from './helpers/browser.ts';
import { startE2EServer, type E2EServer } from './helpers/server.ts';

/**
 * The schema of tldraw 5.4.2 (TLDRAW.md §9) as an older client would have written it:
 * geo shapes at version 9, before rich text (10) and flip props (12).
 */
const OLD_SCHEMA = {
  schemaVersion: 2,
  sequences: {
    'com.tldraw.store': 5,
    'com.tldraw.asset': 1,
    'com.tldraw.camera': 1,
    'com.tldraw.document': 2,
    'com.tldraw.instance': 26,
    'com.tldraw.instance_page_state': 5,
    'com.tldraw.page': 1,
    'com.tldraw.instance_presence': 6,
    'com.tldraw.pointer': 1,
    'com.tldraw.shape': 4,
    'com.tldraw.user': 1,
    'com.tldraw.asset.image': 6,
    'com.tldraw.asset.video': 5,
    'com.tldraw.asset.bookmark': 2,
    'com.tldraw.shape.arrow': 8,
    'com.tldraw.shape.bookmark': 2,
    'com.tldraw.shape.draw': 5,
    'com.tldraw.shape.embed': 4,
    'com.tldraw.shape.frame': 1,
    'com.tldraw.shape.geo': 9,
    'com.tldraw.shape.group': 0,
    'com.tldraw.shape.highlight': 4,
    'com.tldraw.shape.image': 5,
    'com.tldraw.shape.line': 5,
    'com.tldraw.shape.note': 13,
    'com.tldraw.shape.text': 4,
    'com.tldraw.shape.video': 4,
    'com.tldraw.binding.arrow': 1,
  },
};

const OLD_RECORDS = [
  { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} },
  { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} },
  {
    id: 'shape:legacy',
    typeName: 'shape',
    type: 'geo',
    parentId: 'page:page',
    index: 'a1',
    x: 100,
    y: 100,
    rotation: 0,
    isLocked: false,
    opacity: 1,
    meta: {},
    props: {
      geo: 'rectangle',
      w: 200,
      h: 100,
      growY: 0,
      url: '',
      scale: 1,
      color: 'blue',
      labelColor: 'black',
      fill: 'none',
      dash: 'draw',
      size: 'm',
      font: 'draw',
      align: 'middle',
      verticalAlign: 'middle',
      text: 'hello from an old client',
    },
  },
];

describe.sequential('records written by an older client', () => {
  let server: E2EServer;
  let browser: E2EBrowser;
  let legacy: HocuspocusProvider;
  let records: YKeyValue<any>;
  let roomId: string;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    const room = await createRoomAsGuest(server.url, 'Old client');
    roomId = room.roomId;
    legacy = new HocuspocusProvider({ url: server.server.wsUrl, name: roomId, token: room.roomToken });
    await new Promise<void>((resolve) => legacy.on('synced', () => resolve()));
    records = new YKeyValue(legacy.document.getArray(`tl_${roomId}`));
    legacy.document.transact(() => {
      for (const record of OLD_RECORDS) records.set(record.id, record);
      legacy.document.getMap('meta').set('schema', OLD_SCHEMA);
    });
    await new Promise<void>((resolve) => {
      const check = () => (legacy.unsyncedChanges === 0 ? resolve() : setTimeout(check, 20));
      check();
    });
  });

  afterAll(async () => {
    legacy?.destroy();
    await browser?.close();
    await server?.stop();
  });

  test('are migrated on load, shown, and written back in the current schema', async () => {
    const { page } = await browser.newUser();
    await openBoardAsNewGuest(page, `${server.url}/r/${roomId}`, 'New client');
    await waitForBoard(page);
    await waitForShapeCount(page, 1);
    const shape = await page.evaluate(() => window.editor!.getShape('shape:legacy' as never) as any);
    expect(shape.props.text).toBeUndefined();
    expect(JSON.stringify(shape.props.richText)).toContain('hello from an old client');
    expect(shape.props.flipX).toBe(false);

    // The doc now holds the migrated record and the new schema, for every later reader.
    await expect.poll(() => (legacy.document.getMap('meta').get('schema') as typeof OLD_SCHEMA).sequences['com.tldraw.shape.geo']).toBe(12);
    expect(records.get('shape:legacy').props.richText).toBeDefined();
    await page.context().close();
  });

  test('a board upgraded past this client asks for a reload instead of breaking', async () => {
    const { page } = await browser.newUser();
    await openBoardAsNewGuest(page, `${server.url}/r/${roomId}`, 'Stale client');
    await waitForBoard(page);
    const current = legacy.document.getMap('meta').get('schema') as typeof OLD_SCHEMA;
    legacy.document.getMap('meta').set('schema', {
      ...current,
      sequences: { ...current.sequences, 'com.tldraw.shape.geo': 99 },
    });
    await page.getByTestId('board-error').waitFor();
    expect(await page.getByTestId('board-error').textContent()).toMatch(/newer version/i);
    await page.context().close();
  });
});
