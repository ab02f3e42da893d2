import type { ByteRange } from '../export-jobs/file-store.ts';

/**
 * What a `Range` header asks of a file of `size` bytes (RFC 9110 §14): the whole file
 * (no header, or one we do not serve in parts: several ranges, another unit), one
 * satisfiable range, or `unsatisfiable` (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'whole' | 'unsatisfiable' {
  if (!header) return 'whole';
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  // Several ranges or another unit: a server may always answer with the whole file.
  if (!match) return 'whole';
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return 'whole';
  if (first === '') {
    // A suffix: the last n bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return 'whole';
  return { start, end };
}

/**
 * True when `If-None-Match` names `etag` (or is `*`): the client's copy is current.
 * Weak comparison, as RFC 9110 prescribes for this header.
 */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const plain = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === plain);
}
