import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { useTestServer } from '../helpers/server.ts';

const read = (file: string) => readFileSync(new URL(`../../deploy/monitoring/${file}`, import.meta.url), 'utf8');

/** Metric names a PromQL expression uses (ours, the http ones and process metrics). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:scrible|http)_[a-z0-9_]+?)(?:_bucket|_count|_sum)?\b(?![a-z0-9_(])/g)].map((m) => m[1]!);
}

const server = useTestServer();

describe('monitoring files in deploy/monitoring', () => {
  it('the Grafana dashboard only charts metrics the server exports', async () => {
    const dashboard = JSON.parse(read('grafana-dashboard.json'));
    const exported = await (await fetch(`${server.url}/metrics`)).text();
    const exprs: string[] = dashboard.panels.flatMap((panel: { targets: Array<{ expr: string }> }) => panel.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    for (const name of exprs.flatMap(metricNames)) expect(exported, name).toContain(`# TYPE ${name} `);
  });

  it('the alert rules parse and only use metrics the server exports', async () => {
    const rules = parse(read('alerts.yaml'));
    const exported = await (await fetch(`${server.url}/metrics`)).text();
    const alerts = rules.groups.flatMap((group: { rules: Array<{ alert: string; expr: string }> }) => group.rules);
    expect(alerts.map((rule: { alert: string }) => rule.alert)).toEqual(
      expect.arrayContaining([
        'ScribleMemoryHigh',
        'ScribleRedisLatencyHigh',
        'ScribleAuthFailureSpike',
        'ScribleSnapshotFailures',
        'ScribleDataQuarantined',
      ]),
    );
    for (const rule of alerts) {
      expect(rule.expr).toBeTruthy();
      for (const name of metricNames(rule.expr)) expect(exported, `${rule.alert}: ${name}`).toContain(`# TYPE ${name} `);
    }
  });
});
