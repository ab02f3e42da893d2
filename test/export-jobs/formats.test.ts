import { XMLValidator } from 'fast-xml-parser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTldrFile, renderSvg, validateBoard } from '../../src/render/index.ts';
import { decodePng, fixtureFile, fixtureTexts } from '../render/helpers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, fixtureRoom, requestExport, settled } from './helpers.ts';

let server: TestServer;
let room: Awaited<ReturnType<typeof fixtureRoom>>;
beforeAll(async () => {
  server = await startTestServer();
  room = await fixtureRoom(server);
});
afterAll(async () => {
  room?.writer.destroy();
  await server.close();
  await server.storage.drop();
});

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

/** Exports the fixture room in `format` and downloads the file. */
async function exported(format: string, options: Record<string, unknown> = {}) {
  const token = room.owner.token;
  const pending = await requestExport(server.url, room.room.id, token, { format, ...options });
  expect(pending).toMatchObject({ roomId: room.room.id, format, fileUrl: null, error: null, completedAt: null });
  const { view, seen } = await settled(server.url, pending.id, token);
  expect(view.status, view.error ?? '').toBe('completed');
  // Polling may miss a short `processing`, but never sees the states out of order.
  expect(['pending', 'processing', 'completed'].filter((s) => seen.includes(s))).toEqual(seen);
  expect(view.fileUrl).toBe(`http://localhost:${new URL(server.url).port}/api/exports/${pending.id}/file`);
  expect(Date.parse(view.completedAt!)).toBeGreaterThanOrEqual(Date.parse(view.createdAt));
  const file = await download(`${server.url}/api/exports/${pending.id}/file`, token);
  expect(file.status).toBe(200);
  return file;
}

describe('exports of the fixture board, through the API, on PostgreSQL', () => {
  it('svg: well-formed, with every text of the fixture', async () => {
    const file = await exported('svg');
    expect(file.type).toBe('image/svg+xml');
    expect(file.disposition).toMatch(/^attachment; filename=".+\.svg"$/);
    const svg = new TextDecoder().decode(file.bytes);
    expect(XMLValidator.validate(svg)).toBe(true);
    const text = svg.replace(/<[^>]+>/g, '');
    const texts = fixtureTexts();
    expect(texts.length).toBeGreaterThan(8);
    for (const t of texts) expect(text).toContain(t.trim());
  });

  it('png: decodes, with the size of the board at the asked scale', async () => {
    const { width, height } = renderSvg(validateBoard(fixtureFile()), {});
    const file = await exported('png', { scale: 2 });
    expect(file.type).toBe('image/png');
    const png = decodePng(file.bytes);
    expect(png.width).toBe(Math.round(width * 2));
    expect(png.height).toBe(Math.round(height * 2));
  });

  it('pdf: one page with the board text', async () => {
    const file = await exported('pdf');
    expect(file.type).toBe('application/pdf');
    const pdf = await getDocument({ data: file.bytes.slice(), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
    expect(pdf.numPages).toBe(1);
    const page = await pdf.getPage(1);
    const text = (await page.getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ');
    expect(text).toContain('Release plan');
  });

  it('json: a .tldr file with the same records and schema', async () => {
    const file = await exported('json');
    expect(file.type).toBe('application/vnd.tldraw+json');
    expect(file.disposition).toMatch(/\.tldr"$/);
    const tldr = parseTldrFile(new TextDecoder().decode(file.bytes));
    expect(tldr.schema).toEqual(fixtureFile().schema);
    expect([...tldr.records].sort(byId)).toEqual([...fixtureFile().records].sort(byId));
  });

  it('counts finished jobs in scrible_exports_total{format,status}', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const format of ['svg', 'png', 'pdf', 'json']) {
      expect(text).toMatch(new RegExp(`scrible_exports_total\\{format="${format}",status="completed"\\} [1-9]`));
    }
  });
});
