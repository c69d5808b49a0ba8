import test from 'ava';
import { readFileSync } from 'node:fs';
import { startTestApi, type TestApi } from '../support/api.ts';

/** deploy/grafana/gavel.json charts only what /metrics serves, by the labels those metrics have. */
interface Dashboard {
  panels: { type: string; title: string; targets?: { expr: string; legendFormat?: string }[] }[];
}
const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/gavel.json', import.meta.url), 'utf8')) as Dashboard;
const targets = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })));

// Labels every sample has: the registry's default label, and those Prometheus adds when it scrapes.
const EVERY_SAMPLE = ['process', 'instance', 'job'];
const HISTOGRAM_SERIES = /_(bucket|count|sum)$/;

let app: TestApi;
let exposition: string;
test.before(async () => {
  app = await startTestApi('grafana');
  exposition = (await app.request('GET', '/metrics')).body as string;
});
test.after.always(async () => {
  await app?.close();
});

const typeOf = (family: string) => new RegExp(`^# TYPE ${family} (\\w+)$`, 'm').exec(exposition)?.[1];

/** The family a series belongs to: `x_bucket` of histogram `x` is `x`; anything else is itself. */
function familyOf(series: string): string {
  const base = series.replace(HISTOGRAM_SERIES, '');
  return base !== series && typeOf(base) === 'histogram' ? base : series;
}

function labelsOf(family: string): string[] {
  // prom-client keeps each metric's label names on the metric; its types do not declare them.
  const metric = app.deps.metrics.registry.getSingleMetric(family) as unknown as { labelNames?: string[] } | undefined;
  return [...(metric?.labelNames ?? []), ...EVERY_SAMPLE];
}

test('the dashboard has panels, each with queries', (t) => {
  t.true(targets.length >= 15);
  for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) t.true((panel.targets ?? []).length > 0, panel.title);
});

test('every metric a query names is in /metrics (histogram series only of histograms)', (t) => {
  for (const { panel, expr } of targets) {
    const series = [...expr.matchAll(/\b((?:gavel|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!);
    t.true(series.length > 0, `${panel}: ${expr} names no metric`);
    for (const name of series) t.truthy(typeOf(familyOf(name)), `${panel}: ${name} is not in /metrics`);
  }
});

test('every label a query groups by, filters on or shows in its legend is a label of its metric', (t) => {
  for (const { panel, expr, legendFormat } of targets) {
    const series = [...expr.matchAll(/\b((?:gavel|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!);
    const known = new Set(series.flatMap((name) => [...labelsOf(familyOf(name)), ...(name.endsWith('_bucket') ? ['le'] : [])]));
    const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
    const filtered = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g)].map((l) => l[1]!));
    for (const label of [...grouped, ...filtered]) t.true(known.has(label), `${panel}: ${label} is no label of ${series.join(', ')}`);
    // After "by (...)" only those labels are left to show.
    const shown = [...(legendFormat ?? '').matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);
    const left = grouped.length ? new Set(grouped.filter((l) => l !== 'le')) : known;
    for (const label of shown) t.true(left.has(label), `${panel}: the legend shows ${label}, which ${expr} does not keep`);
  }
});
