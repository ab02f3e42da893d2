import { expect } from 'vitest';
import type { FileStore } from '../../src/export-jobs/index.ts';

/** What every file store's `list` must do: the files directly in a folder, keyed as the other calls take them. */
export async function expectFolderListing(files: FileStore): Promise<void> {
  const body = new Uint8Array([1, 2, 3]);
  await files.put('list-room/versions/1.png', body, 'image/png');
  await files.put('list-room/versions/22.png', body, 'image/png');
  await files.put('list-room/versions/deeper/3.png', body, 'image/png');
  await files.put('list-room/thumbnail.png', body, 'image/png');
  expect((await files.list('list-room/versions')).sort()).toEqual(['list-room/versions/1.png', 'list-room/versions/22.png']);
  expect(await files.list('no-such-room/versions')).toEqual([]);
  await files.delete('list-room/versions/1.png');
  expect(await files.list('list-room/versions')).toEqual(['list-room/versions/22.png']);
  await files.deleteRoom('list-room');
  expect(await files.list('list-room/versions')).toEqual([]);
}
