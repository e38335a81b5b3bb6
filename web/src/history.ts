// History of an AS, country, region, IXP or group over 12 months: every action and every metric,
// one point per month (the last snapshot of the month), and the change between the first and the
// last point. Uses the report's own per-action history when the server gives it; otherwise reads
// the report of each monthly snapshot (/api/KIND/ID?date=), at most 13 requests.
import { h } from './dom';
import { get, type Report } from './api';
import { t } from './i18n';
import { ACTIONS, actionLabel, fmtDate, fmtNum, metricLabel } from './format';
import { chartBox, disposeChart, lineChart } from './charts';
import { snapshots } from './provenance';
import { num, section, table } from './ui';

export interface HistPoint {
  date: string;
  scores: Record<string, number | null>;
  metrics: Record<string, number | null>;
}

function pointOf(r: Pick<Report, 'snapshot' | 'scores' | 'metrics'>): HistPoint {
  return {
    date: r.snapshot.date,
    scores: Object.fromEntries(ACTIONS.map((a) => [a, r.scores?.[a]?.score ?? null])),
    metrics: Object.fromEntries(Object.entries(r.metrics ?? {}).map(([k, m]) => [k, (m.value ?? m.mean ?? null) as number | null])),
  };
}

function monthsBack(day: string, months: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString().slice(0, 10);
}

/** The monthly points of the 12 months up to the report's snapshot, oldest first. */
export async function loadHistory(r: Report): Promise<HistPoint[]> {
  const end = r.snapshot.date;
  const start = monthsBack(end, 12);
  // A server that already gives every action per history point: no extra requests (no metrics).
  if (r.history?.length && r.history.every((p) => 'action1' in p)) {
    const byMonth = new Map<string, HistPoint>();
    for (const p of r.history.filter((x) => x.date >= start && x.date <= end)) {
      byMonth.set(p.date.slice(0, 7), { date: p.date, scores: Object.fromEntries(ACTIONS.map((a) => [a, (p[a] ?? null) as number | null])), metrics: {} });
    }
    const pts = [...byMonth.values()];
    const last = pts.at(-1);
    if (last && last.date === end) last.metrics = pointOf(r).metrics;
    return pts;
  }
  const all = (await snapshots()).filter((s) => s.date >= start && s.date <= end);
  const byMonth = new Map<string, string>();
  for (const s of [...all].sort((a, b) => a.date.localeCompare(b.date))) byMonth.set(s.date.slice(0, 7), s.date);
  byMonth.set(end.slice(0, 7), end);
  const dates = [...byMonth.values()].sort();
  const pts = await Promise.all(
    dates.map(async (date) => {
      if (date === end) return pointOf(r);
      try {
        const rep = await get<Report>(`${r.kind}/${encodeURIComponent(r.id)}`, r.kind === 'as' ? { date } : { date, members: 0 });
        return pointOf(rep);
      } catch {
        return null; // not in that snapshot
      }
    }),
  );
  return pts.filter((p): p is HistPoint => p !== null);
}

/**
 * The history section: a chart of the four actions and the overall, a chart of one chosen metric,
 * the table of every point, and the change from the first to the last point.
 */
export function historySection(r: Report, title: string, print: boolean): HTMLElement {
  const box = chartBox(t('report.history_aria', { name: title }), 'history-chart');
  const mbox = chartBox(t('history.metric_aria', { name: title }), 'history-metric-chart', 'chart short');
  const body = h('div', { 'data-testid': 'history-body' }, h('p', { className: 'loading', role: 'status' }, t('common.loading')));
  const metricIds = Object.keys(r.metrics ?? {});
  const sel = h('select', { id: 'hist-metric', 'data-testid': 'history-metric' }, metricIds.map((m) => h('option', { value: m }, `${m} · ${metricLabel(m, r.metrics[m]?.title)}`)));
  const s = section(
    t('report.history_title'),
    'h-history',
    h('p', { className: 'muted' }, t('history.intro')),
    box,
    metricIds.length ? h('div', { className: 'field inline-field' }, h('label', { for: 'hist-metric' }, t('history.metric')), sel) : null,
    metricIds.length ? mbox : null,
    body,
  );
  s.dataset.testid = 'history';
  let mchart: ReturnType<typeof lineChart> | null = null;
  void loadHistory(r).then((pts) => {
    if (!s.isConnected) return;
    const xs = pts.map((p) => p.date);
    lineChart(box, xs, ACTIONS.map((a) => ({ name: actionLabel(a), data: pts.map((p) => p.scores[a] ?? null) })));
    const drawMetric = () => {
      disposeChart(mchart);
      const m = sel.value;
      if (m) mchart = lineChart(mbox, xs, [{ name: m, data: pts.map((p) => p.metrics[m] ?? null) }], { max: null });
    };
    sel.addEventListener('change', drawMetric);
    drawMetric();
    const first = pts[0];
    const last = pts.at(-1);
    const delta = (a: string) => (first && last && first.scores[a] !== null && last.scores[a] !== null ? (last.scores[a] as number) - (first.scores[a] as number) : null);
    body.replaceChildren(
      first && last && pts.length > 1
        ? table(
            t('history.change_caption', { from: fmtDate(first.date), to: fmtDate(last.date) }),
            [
              { label: t('common.action'), cell: (a: string) => actionLabel(a) },
              { label: fmtDate(first.date), cell: (a) => num(first.scores[a]), numeric: true },
              { label: fmtDate(last.date), cell: (a) => num(last.scores[a]), numeric: true },
              { label: t('history.change'), cell: (a) => h('span', { className: 'num', 'data-testid': `change-${a}`, 'data-value': delta(a) ?? '' }, delta(a) === null ? t('common.na') : `${(delta(a) as number) > 0 ? '+' : ''}${fmtNum(delta(a))}`), numeric: true },
            ],
            [...ACTIONS],
            null,
            { testid: 'history-change' },
          )
        : h('p', { className: 'muted', 'data-testid': 'history-single' }, t('history.single')),
      h(
        'details',
        { open: print ? true : null },
        h('summary', null, t('report.history_table')),
        table(
          t('report.history_caption'),
          [
            { label: t('common.date'), cell: (p: HistPoint) => p.date, sort: (p) => p.date },
            ...ACTIONS.map((a) => ({ label: actionLabel(a), cell: (p: HistPoint) => num(p.scores[a], `hist-${p.date}-${a}`), numeric: true })),
            ...metricIds.map((m) => ({ label: m, cell: (p: HistPoint) => num(p.metrics[m], `hist-${p.date}-${m}`), numeric: true })),
          ],
          pts,
          null,
          { testid: 'history-table' },
        ),
      ),
    );
    body.dataset.points = String(pts.length);
    s.dataset.ready = '1';
  });
  return s;
}

