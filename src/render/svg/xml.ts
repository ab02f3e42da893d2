/**
 * XML escaping for text and attribute values. Board text is user input, so everything
 * that reaches the SVG passes through here.
 */

// Characters XML 1.0 forbids outright (C0 controls except tab, LF, CR; lone surrogates;
// U+FFFE/U+FFFF): escaping cannot make them legal, so they are dropped.
const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes a string for use as XML text or a double-quoted attribute value. */
export function escapeXml(value: string): string {
  return value.replace(INVALID_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Makes an id safe to embed in an XML id/url(#…) reference. */
export function safeId(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_');
}
