// Adds a sticky note to a new public board through the document API.
// Usage: node examples/add-sticky-note.mjs [base URL, default http://localhost:3001]
const base = process.argv[2] ?? 'http://localhost:3001';
async function api(method, path, token, body) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
const { token } = await api('POST', '/api/auth/guest', null, { name: 'Ticket bot' });
const room = await api('POST', '/api/rooms', token, { name: 'Tickets', visibility: 'public' });
const text = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'TICKET-42: fix the login page' }] }] };
const page = { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };
const note = { id: `shape:${crypto.randomUUID()}`, typeName: 'shape', type: 'note', parentId: 'page:page', index: 'a1',
  x: 100, y: 100, rotation: 0, isLocked: false, opacity: 1, meta: {},
  props: { color: 'yellow', labelColor: 'black', size: 'm', font: 'draw', fontSizeAdjustment: 1, align: 'middle',
    verticalAlign: 'middle', growY: 0, url: '', richText: text, scale: 1, textLastEditedBy: null } };
console.log(await api('PATCH', `/api/rooms/${room.id}/document`, token, { put: [page, note] }));
console.log(`Open ${base}/r/${room.id}`);
