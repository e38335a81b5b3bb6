import { h, put } from '../dom';
import { ApiError, get, csvUrl, type CompareEntity, type Report } from '../api';
import { t, tDyn } from '../i18n';
import { ACTIONS, actionLabel, bandChip, countryName, fmtDate, metricLabel } from '../format';
import { barChart, chartBox } from '../charts';
import { go } from '../router';
import { num, section, table } from '../ui';
import { entityTitle } from './entity';

interface Comparison {
  snapshot: { id: number; date: string };
  kind: string;
  entities: CompareEntity[];
}

async function compare(kind: string, ids: string[]): Promise<Comparison> {
  try {
    return await get<Comparison>('compare', { kind, ids: ids.join(',') });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404 || !/path/.test(e.message)) throw e;
  }
  // Older servers without /api/compare: one report each.
  const reports = await Promise.all(ids.map((id) => get<Report>(`${kind}/${encodeURIComponent(id)}`, kind === 'as' ? undefined : { members: 0 })));
  return {
    snapshot: reports[0].snapshot,
    kind,
    entities: reports.map((r) => ({
      id: r.id,
      name: r.name,
      country: r.country,
      region: r.region,
      scores: r.scores,
      metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, (m.value ?? m.mean ?? null) as number | null])),
    })),
  };
}

function label(kind: string, e: CompareEntity): string {
  return kind === 'country' ? `${countryName(e.id)} (${e.id})` : entityTitle({ kind, id: e.id, name: e.name });
}

export async function renderCompare(main: HTMLElement, query: URLSearchParams, live: () => boolean): Promise<void> {
  const kind = query.get('kind') === 'country' ? 'country' : 'as';
  const ids = (query.get('ids') ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^as/i, ''))
    .filter(Boolean);
  const kindSel = h('select', { id: 'cmp-kind', 'data-testid': 'compare-kind' }, h('option', { value: 'as', selected: kind === 'as' }, t('kind.as')), h('option', { value: 'country', selected: kind === 'country' }, t('kind.country')));
  const idsIn = h('input', { id: 'cmp-ids', type: 'text', value: ids.join(', '), 'aria-describedby': 'cmp-ids-help', 'data-testid': 'compare-ids', required: true });
  const form = h(
    'form',
    { className: 'inline', 'aria-label': t('compare.form') },
    h('div', { className: 'field' }, h('label', { for: 'cmp-kind' }, t('compare.kind')), kindSel),
    h('div', { className: 'field grow' }, h('label', { for: 'cmp-ids' }, t('compare.ids')), idsIn, h('small', { id: 'cmp-ids-help' }, t('compare.ids_help'))),
    h('button', { type: 'submit', 'data-testid': 'compare-submit' }, t('compare.submit')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list = idsIn.value.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
    go(`#/compare?kind=${kindSel.value}&ids=${encodeURIComponent(list.join(','))}`);
  });
  put(main, h('h1', { 'data-testid': 'page-title' }, t('compare.title')), h('p', { className: 'muted' }, t('compare.intro')), form);
  if (ids.length < 2) {
    put(main, h('p', { 'data-testid': 'compare-hint' }, t('compare.need_two')));
    return;
  }
  const c = await compare(kind, ids.slice(0, 10));
  if (!live()) return;
  const ents = c.entities;
  const chart = chartBox(t('compare.chart_aria'), 'compare-chart', 'chart tall');
  const metricIds = [...new Set(ents.flatMap((e) => Object.keys(e.metrics)))];
  type Row = { id: string; label: string; kind: 'action' | 'metric' };
  const rows: Row[] = [...ACTIONS.map((a) => ({ id: a, label: actionLabel(a), kind: 'action' as const })), ...metricIds.map((m) => ({ id: m, label: `${m} ${metricLabel(m)}`, kind: 'metric' as const }))];
  put(main, 
    h('p', { className: 'muted' }, t('common.snapshot', { date: fmtDate(c.snapshot.date) })),
    section(
      t('compare.chart_title'),
      'h-cmp-chart',
      chart,
    ),
    section(
      t('compare.table_title'),
      'h-cmp-table',
      table(
        t('compare.table_caption'),
        [
          { label: t('common.measure'), cell: (r: Row) => r.label },
          ...ents.map((e) => ({
            label: label(kind, e),
            cell: (r: Row) =>
              r.kind === 'action'
                ? h('span', null, num(e.scores[r.id]?.score, `cmp-${e.id}-${r.id}`), ' ', bandChip(e.scores[r.id]?.band ?? '', `cmp-${e.id}-${r.id}-band`))
                : num(e.metrics[r.id], `cmp-${e.id}-${r.id}`),
            numeric: true,
          })),
        ],
        rows,
        csvUrl('compare', { kind, ids: ids.join(',') }),
        { testid: 'compare-table' },
      ),
      h('ul', { className: 'links' }, ents.map((e) => h('li', null, h('a', { href: `#/${kind}/${e.id}` }, tDyn('compare.open', 'open'), ' ', label(kind, e))))),
    ),
  );
  barChart(chart, ACTIONS.map(actionLabel), ents.map((e) => ({ name: label(kind, e), data: ACTIONS.map((a) => e.scores[a]?.score ?? null) })), { max: 100 });
}
