/** The markdown table of figures and ratios (against bare Hocuspocus and raw ws). */
import type { ColdLoadRow } from './scenarios/cold-load.ts';
import type { ConnectionsRow } from './scenarios/connections.ts';
import type { FanOutRow } from './scenarios/fan-out.ts';
import type { HotRoomRow } from './scenarios/hot-room.ts';
import type { PresenceRow } from './scenarios/presence.ts';

export interface BenchResults {
  date: string;
  quick: boolean;
  machine: Record<string, string>;
  fanOut: FanOutRow[];
  hotRoom: HotRoomRow[];
  connections: ConnectionsRow[];
  coldLoad: ColdLoadRow[];
  presence: PresenceRow[];
  plugins: Record<string, unknown>;
}

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined || Number.isNaN(n) ? '–' : n >= 100 ? String(Math.round(n)) : n.toFixed(digits);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !b || Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}×`;
const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? ' ✅' : ' ❌');

export function markdownReport(r: BenchResults): string {
  const baseTargets = ['scrible-pglite', 'scrible-pg', 'hocuspocus', 'y-websocket', 'raw-ws'];
  const names = [...new Set([...r.fanOut, ...r.hotRoom, ...r.connections, ...r.coldLoad, ...r.presence].map((x) => x.target))];
  const main = names.filter((n) => baseTargets.includes(n));
  const variants = names.filter((n) => !baseTargets.includes(n));
  const fan = (t: string) => r.fanOut.find((x) => x.target === t);
  const hot = (t: string, readers = 200) => r.hotRoom.find((x) => x.target === t && x.readers === readers);
  const conn = (t: string) => r.connections.find((x) => x.target === t);
  const cold = (t: string) => r.coldLoad.find((x) => x.target === t);
  const presence = (t: string) => r.presence.find((x) => x.target === t);
  const lines: string[] = [];
  lines.push(
    `Run ${r.date}${r.quick ? ' (quick)' : ''} on ${r.machine.cpu}, ${r.machine.nproc} cores, ${r.machine.memory} RAM; load average ${r.machine.loadBefore} before, ${r.machine.loadAfter} after (other work shares the machine).`,
    '',
  );
  lines.push(`| measure | ${main.join(' | ')} |`, `|---|${main.map(() => '---:').join('|')}|`);
  const row = (label: string, cell: (t: string) => string) => lines.push(`| ${label} | ${main.map(cell).join(' | ')} |`);
  row('fan-out p50 / p95 / p99 ms', (t) => {
    const f = fan(t);
    return f ? `${fmt(f.latencyMs.p50, 2)} / ${fmt(f.latencyMs.p95)} / ${fmt(f.latencyMs.p99)}` : '–';
  });
  row('fan-out lost / duplicated', (t) => {
    const f = fan(t);
    return f ? `${f.lost} / ${f.duplicated}` : '–';
  });
  row('fan-out server CPU µs per delivery', (t) => fmt(fan(t)?.serverCpuMicrosPerDelivery));
  row('hot room: max updates/s, 200 readers', (t) => fmt(hot(t)?.maxSustainedRate, 0));
  row('hot room: deliveries/s', (t) => fmt(hot(t)?.maxDeliveriesPerSecond, 0));
  row('idle connections reached', (t) => {
    const c = conn(t);
    return c ? `${c.reached}/${c.requested}` : '–';
  });
  row('RSS per idle connection KiB', (t) => fmt(conn(t)?.rssPerConnectionKiB));
  row('connects/s', (t) => fmt(conn(t)?.connectsPerSecond, 0));
  row('server CPU ms per connect', (t) => fmt(conn(t)?.serverCpuMsPerConnect, 2));
  row('5 MB load p50 / p99 ms', (t) => {
    const c = cold(t);
    return c ? `${fmt(c.loadMs.p50)} / ${fmt(c.loadMs.p99)}${c.source === 'memory' ? ' (memory)' : ''}` : '–';
  });
  row('5 MB reopen p50 / p99 ms', (t) => {
    const c = cold(t)?.reopenMs;
    return c ? `${fmt(c.p50)} / ${fmt(c.p99)}` : '–';
  });
  row('presence (200 clients, 1 Hz cursors): server CPU % without → with', (t) => {
    const p = presence(t);
    return p ? `${fmt(p.quiet.serverCpuPercent)} → ${fmt(p.busy.serverCpuPercent)}` : '–';
  });
  row('presence: drawing p50 / p99 ms without → with', (t) => {
    const p = presence(t);
    return p
      ? `${fmt(p.quiet.latencyMs.p50, 2)} / ${fmt(p.quiet.latencyMs.p99)} → ${fmt(p.busy.latencyMs.p50, 2)} / ${fmt(p.busy.latencyMs.p99)}`
      : '–';
  });
  lines.push('');

  lines.push('Targets (Scrible with every extension on; ratios from the same run):', '');
  lines.push('| target | measure | scrible-pglite | scrible-pg | vs |', '|---|---|---:|---:|---|');
  const hp = fan('hocuspocus');
  const rawHot = hot('raw-ws');
  const both = (f: (t: string) => string) => ['scrible-pglite', 'scrible-pg'].map(f).join(' | ');
  lines.push(
    `| fan-out p99 ≤ 1.15× bare Hocuspocus | ratio | ${both((t) => {
      const f = fan(t);
      return f && hp ? `${ratio(f.latencyMs.p99, hp.latencyMs.p99)}${mark(f.latencyMs.p99 <= 1.15 * hp.latencyMs.p99)}` : '–';
    })} | ${fmt(hp?.latencyMs.p99)} ms |`,
  );
  lines.push(
    `| fan-out p50 ≤ 1.15× bare Hocuspocus | ratio | ${both((t) => {
      const f = fan(t);
      return f && hp ? `${ratio(f.latencyMs.p50, hp.latencyMs.p50)}${mark(f.latencyMs.p50 <= 1.15 * hp.latencyMs.p50)}` : '–';
    })} | ${fmt(hp?.latencyMs.p50, 2)} ms |`,
  );
  lines.push(
    `| fan-out CPU per delivery ≤ 1.15× | ratio | ${both((t) => {
      const f = fan(t);
      return f && hp
        ? `${ratio(f.serverCpuMicrosPerDelivery, hp.serverCpuMicrosPerDelivery)}${mark(f.serverCpuMicrosPerDelivery <= 1.15 * hp.serverCpuMicrosPerDelivery)}`
        : '–';
    })} | ${fmt(hp?.serverCpuMicrosPerDelivery)} µs |`,
  );
  const hpConn = conn('hocuspocus');
  lines.push(
    `| connects/s ≥ 0.8× bare Hocuspocus | ratio | ${both((t) => {
      const c = conn(t);
      return c && hpConn
        ? `${ratio(c.connectsPerSecond, hpConn.connectsPerSecond)}${mark(c.connectsPerSecond >= 0.8 * hpConn.connectsPerSecond)}`
        : '–';
    })} | ${fmt(hpConn?.connectsPerSecond, 0)}/s |`,
  );
  const hpHot = hot('hocuspocus');
  lines.push(
    `| hot room (200 readers) ≥ bare Hocuspocus | updates/s | ${both((t) => {
      const h = hot(t);
      return h && hpHot ? `${fmt(h.maxSustainedRate, 0)}${mark(h.maxSustainedRate >= hpHot.maxSustainedRate)}` : '–';
    })} | ${fmt(hpHot?.maxSustainedRate, 0)}/s |`,
  );
  const hpPresence = presence('hocuspocus');
  lines.push(
    `| presence CPU ≤ 1.15× bare Hocuspocus | ratio | ${both((t) => {
      const p = presence(t);
      return p && hpPresence
        ? `${ratio(p.busy.serverCpuPercent, hpPresence.busy.serverCpuPercent)}${mark(p.busy.serverCpuPercent <= 1.15 * hpPresence.busy.serverCpuPercent)}`
        : '–';
    })} | ${fmt(hpPresence?.busy.serverCpuPercent)}% |`,
  );
  lines.push(
    `| presence: drawing p99 with cursors ≤ 1.15× without | ratio | ${both((t) => {
      const p = presence(t);
      return p ? `${ratio(p.busy.latencyMs.p99, p.quiet.latencyMs.p99)}${mark(p.busy.latencyMs.p99 <= 1.15 * p.quiet.latencyMs.p99)}` : '–';
    })} | bare: ${hpPresence ? ratio(hpPresence.busy.latencyMs.p99, hpPresence.quiet.latencyMs.p99) : '–'} |`,
  );
  lines.push(
    `| ≥ 50% of raw-ws delivery throughput | ratio | ${both((t) => {
      const h = hot(t);
      return h && rawHot
        ? `${ratio(h.maxDeliveriesPerSecond, rawHot.maxDeliveriesPerSecond)}${mark(h.maxDeliveriesPerSecond >= 0.5 * rawHot.maxDeliveriesPerSecond)}`
        : '–';
    })} | ${fmt(rawHot?.maxDeliveriesPerSecond, 0)}/s |`,
  );
  lines.push(
    `| ≤ 30 KB RSS per idle connection | KiB | ${both((t) => {
      const c = conn(t);
      return c ? `${fmt(c.rssPerConnectionKiB)}${mark(c.rssPerConnectionKiB <= 30)}` : '–';
    })} | hocuspocus ${fmt(conn('hocuspocus')?.rssPerConnectionKiB)} |`,
  );
  lines.push(
    `| 10,000 idle connections | reached | ${both((t) => {
      const c = conn(t);
      return c ? `${c.reached}${mark(c.reached >= 10_000)}` : '–';
    })} | |`,
  );
  const floor = cold('hocuspocus');
  lines.push(
    `| 5 MB cold load p99 ≤ 1.5× the in-memory floor | ratio | ${both((t) => {
      const c = cold(t);
      return c && floor ? `${ratio(c.loadMs.p99, floor.loadMs.p99)}${mark(c.loadMs.p99 <= 1.5 * floor.loadMs.p99)}` : '–';
    })} | floor (bare Hocuspocus, memory) ${fmt(floor?.loadMs.p99)} ms |`,
  );
  lines.push('');

  if (variants.length) {
    lines.push('Options measured (each against scrible-pg in the same run):', '');
    lines.push(
      '| variant | fan-out p50 / p99 ms | µs/delivery | hot room max updates/s | 5 MB reopen p50 / p99 ms |',
      '|---|---:|---:|---:|---:|',
    );
    for (const t of ['scrible-pg', ...variants]) {
      const f = fan(t);
      const h = hot(t);
      const c = cold(t)?.reopenMs;
      lines.push(
        `| ${t} | ${f ? `${fmt(f.latencyMs.p50, 2)} / ${fmt(f.latencyMs.p99)}` : '–'} | ${fmt(f?.serverCpuMicrosPerDelivery)} | ${fmt(h?.maxSustainedRate, 0)} | ${c ? `${fmt(c.p50)} / ${fmt(c.p99)}` : '–'} |`,
      );
    }
    lines.push('');
  }
  for (const [name, value] of Object.entries(r.plugins)) {
    lines.push(`Plug-in scenario \`${name}\`:`, '', '```json', JSON.stringify(value, null, 1).slice(0, 3000), '```', '');
  }
  return lines.join('\n');
}
