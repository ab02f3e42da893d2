/** What bench/abuse.ts records per attack, and the table it prints from that. */
import type { Outcome } from './abuse-client.ts';

export interface JoinerReport {
  syncMs?: number;
  frames: number;
  totalBytes: number;
  firstFrameBytes: number;
  largestFrameBytes: number;
  /** Sizes of the awareness frames (type 1) it received, in order. */
  awarenessFrameBytes: number[];
  error?: string;
}

export interface Measurement {
  version: string;
  attack: string;
  run: number;
  /** What the attacker sent, in bytes. */
  frameBytes: number;
  outcome: Outcome;
  /** From the first attack frame until the server answered (and the joiner listened). */
  handledMs: number;
  /** The slowest /healthz answered in the 2 s before the attack. */
  baselineWorstMs: number;
  /** The slowest /healthz from the first attack frame until 2 s after it was handled. */
  worstHealthzMs: number;
  /** When that request was sent, in ms after the first attack frame (negative: just before it). */
  worstHealthzAtMs: number;
  healthzRequests: number;
  healthzFailed: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** The attacker's socket 3 s after the attack: undefined while still open. */
  attackerClosed?: { code: number; reason: string };
  joiner?: JoinerReport;
  error?: string;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `median (min–max)` over the runs, or the one value. */
function spread(numbers: number[], show: (n: number) => string = (n) => (Math.round(n) || 0).toFixed(0)): string {
  if (numbers.length === 0) return '–';
  if (show(Math.min(...numbers)) === show(Math.max(...numbers))) return show(numbers[0]!);
  return `${show(median(numbers))} (${show(Math.min(...numbers))}–${show(Math.max(...numbers))})`;
}

function bytes(n: number): string {
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function describeClose(m: Measurement): string {
  if (m.error) return `error: ${m.error.slice(0, 60)}`;
  if (m.attackerClosed) return `closed ${m.attackerClosed.code} ${m.attackerClosed.reason}`;
  return m.outcome.kind === 'timeout' ? 'open, no answer in 30 s' : 'open (applied)';
}

function describeJoiner(reports: JoinerReport[]): string {
  if (reports.length === 0) return '–';
  const failed = reports.find((r) => r.error);
  if (failed) return `error: ${failed.error!.slice(0, 60)}`;
  const awareness = reports.map((r) => r.awarenessFrameBytes[0]);
  const presence = awareness.every((size) => size === undefined)
    ? 'no awareness frame'
    : `awareness frame ${spread(
        awareness.map((n) => n ?? 0),
        bytes,
      )}`;
  return `${presence}; largest frame ${spread(
    reports.map((r) => r.largestFrameBytes),
    bytes,
  )}`;
}

/** One row per attack and version: medians over the runs, with their range. */
export function abuseTable(measurements: Measurement[], attacks: string[], versions: string[]): string {
  const rows = [
    '| attack | version | worst /healthz ms | baseline ms | RSS before → 3 s after MiB | Δ RSS MiB | attacker socket | fresh joiner received |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const attack of attacks) {
    for (const version of versions) {
      const list = measurements.filter((m) => m.attack === attack && m.version === version);
      const ok = list.filter((m) => !m.error);
      const closes = [...new Set(list.map(describeClose))].join(' / ');
      const joiners = ok.flatMap((m) => (m.joiner ? [m.joiner] : []));
      rows.push(
        `| ${attack} | ${version} | ${spread(ok.map((m) => m.worstHealthzMs))} | ${spread(ok.map((m) => m.baselineWorstMs))} | ` +
          `${spread(ok.map((m) => m.rssBeforeMiB))} → ${spread(ok.map((m) => m.rssAfterMiB))} | ` +
          `${spread(ok.map((m) => m.rssAfterMiB - m.rssBeforeMiB))} | ${closes} | ${describeJoiner(joiners)} |`,
      );
    }
  }
  return rows.join('\n');
}
