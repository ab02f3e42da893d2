import type { onChangePayload } from '@hocuspocus/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ThumbnailRefresh } from '../../extensions/thumbnail-refresh.ts';
import { createLogger } from '../../src/log.ts';

// The debounce itself, on a fake clock: the thumbnails test (real server, real
// renders) shows a render happens; this one shows when, for bursts and long sessions.
const change = (documentName: string, source = 'connection') =>
  ({ documentName, transactionOrigin: { source } }) as unknown as onChangePayload;

describe('thumbnail refresh debounce', () => {
  let renders: string[];
  let refresh: ThumbnailRefresh;

  beforeEach(() => {
    vi.useFakeTimers();
    renders = [];
    refresh = new ThumbnailRefresh({
      debounceMs: 1_000,
      maxWaitMs: 10_000,
      log: createLogger('silent'),
      refresh: async (roomId) => renders.push(roomId),
    });
  });
  afterEach(async () => {
    await refresh.stop();
    vi.useRealTimers();
  });

  it('renders once, debounceMs after the last change of a burst', async () => {
    for (let i = 0; i < 50; i++) {
      await refresh.onChange(change('room-a'));
      await vi.advanceTimersByTimeAsync(100);
    }
    // 5 s of changes every 100 ms: nothing yet, the room never went quiet for 1 s.
    expect(renders).toEqual([]);
    await vi.advanceTimersByTimeAsync(899);
    expect(renders).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(renders).toEqual(['room-a']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(renders).toEqual(['room-a']);
    expect(refresh.busy).toBe(false);
  });

  it('renders a room that never goes quiet every maxWaitMs', async () => {
    for (let t = 0; t < 25_000; t += 200) {
      await refresh.onChange(change('room-b'));
      await vi.advanceTimersByTimeAsync(200);
    }
    // First change at 0: renders at 10 s and at 20 s (the second wait started at 10.2 s).
    expect(renders).toEqual(['room-b', 'room-b']);
  });

  it('keeps rooms apart, ignores changes relayed from other instances, and drops waiting renders on stop', async () => {
    await refresh.onChange(change('room-c'));
    await refresh.onChange(change('room-d', 'redis'));
    await vi.advanceTimersByTimeAsync(500);
    await refresh.onChange(change('room-e'));
    await vi.advanceTimersByTimeAsync(500);
    expect(renders).toEqual(['room-c']);
    await refresh.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(renders).toEqual(['room-c']);
    await refresh.onChange(change('room-e'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(renders).toEqual(['room-c']);
  });
});
