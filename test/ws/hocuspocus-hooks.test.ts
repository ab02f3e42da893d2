import { Hocuspocus, type Extension } from '@hocuspocus/server';
import { describe, expect, it, vi } from 'vitest';

// patches/@hocuspocus+server+4.7.0.patch runs the extensions' hooks with one await each
// instead of a promise chain; every extension relies on what the chain promised.
describe('Hocuspocus hooks (patched runner)', () => {
  const recorder = (events: string[], name: string, priority: number, options: { fail?: boolean; waitMs?: number } = {}) =>
    ({
      extensionName: name,
      priority,
      async onChange() {
        events.push(`${name} start`);
        if (options.waitMs) await new Promise((resolve) => setTimeout(resolve, options.waitMs));
        if (options.fail) throw new Error(`${name} failed`);
        events.push(`${name} end`);
      },
    }) as Extension;

  it('runs them one after another in priority order, the first one after the caller returns', async () => {
    const events: string[] = [];
    const instance = new Hocuspocus({
      quiet: true,
      extensions: [recorder(events, 'low', 10), recorder(events, 'high', 200, { waitMs: 20 }), recorder(events, 'middle', 100)],
    });
    const done = instance.hooks('onChange', {} as never);
    events.push('caller');
    await done;
    expect(events).toEqual(['caller', 'high start', 'high end', 'middle start', 'middle end', 'low start', 'low end']);
  });

  it('stops at the first error, rejects with it, and logs it once', async () => {
    const events: string[] = [];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const instance = new Hocuspocus({
        quiet: true,
        extensions: [recorder(events, 'first', 300), recorder(events, 'broken', 200, { fail: true }), recorder(events, 'last', 100)],
      });
      await expect(instance.hooks('onChange', {} as never)).rejects.toThrow('broken failed');
      expect(events).toEqual(['first start', 'first end', 'broken start']);
      expect(logged.mock.calls.filter(([message]) => message === '[onChange]')).toHaveLength(1);
    } finally {
      logged.mockRestore();
    }
  });

  it('hands each result to the callback before the next extension runs', async () => {
    const seen: unknown[] = [];
    const instance = new Hocuspocus({
      quiet: true,
      extensions: [
        { extensionName: 'a', priority: 2, onLoadDocument: async () => 'from a' } as Extension,
        { extensionName: 'b', priority: 1, onLoadDocument: async () => (seen.push('b runs'), 'from b') } as Extension,
      ],
    });
    await instance.hooks('onLoadDocument', {} as never, (result: unknown) => seen.push(result));
    // The default configuration's own hook (last, resolving to null) is called back too.
    expect(seen).toEqual(['from a', 'b runs', 'from b', null]);
  });
});
