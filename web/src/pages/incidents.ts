// The incident list (#/incidents?type=&from=&to=&region=&country=&as=&victim=&prefix=&match=&offset=):
// filters in a form whose state is the URL (so a filtered list can be shared), one page of
// /api/incidents at a time with its total, and links to the previous and next pages.
import { h, put } from '../dom';
import { csvUrl, get, unknownParam, type IncidentPage, type Overview } from '../api';
import { t, tp } from '../i18n';
import { fmtNum, incidentTypeLabel, regionLabel } from '../format';
import { go } from '../router';
import { errorBox, section } from '../ui';
import { incidentList } from './region';

export const PAGE_SIZE = 50;
const FILTERS = ['type', 'from', 'to', 'region', 'country', 'as', 'victim', 'prefix', 'match'] as const;

function field(id: string, label: string, control: HTMLElement, help?: string): HTMLElement {
  return h('div', { className: 'field' }, h('label', { for: id }, label), control, help ? h('small', { id: `${id}-help` }, help) : null);
}

function hrefWith(query: URLSearchParams, changes: Record<string, string | null>): string {
  const q = new URLSearchParams(query);
  q.delete('lang');
  for (const [k, v] of Object.entries(changes)) if (v === null || v === '') q.delete(k);
  else q.set(k, v);
  const s = q.toString();
  return `#/incidents${s ? `?${s}` : ''}`;
}

export async function renderIncidents(main: HTMLElement, query: URLSearchParams, live: () => boolean): Promise<void> {
  const ov = await get<Overview>('overview').catch(() => null);
  if (!live()) return;
  const val = (k: string) => query.get(k) ?? '';
  const types = Object.keys(ov?.incidents ?? {}).sort();
  const sel = (id: string, opts: [string, string][], v: string) => h('select', { id, name: id, 'data-testid': `filter-${id.slice(2)}` }, h('option', { value: '' }, t('incidents.any')), opts.map(([k, l]) => h('option', { value: k, selected: k === v }, l)));
  const input = (id: string, type: string, extra: Record<string, string | number> = {}) => h('input', { id, name: id, type, value: val(id.slice(2)), 'data-testid': `filter-${id.slice(2)}`, ...extra });
  const form = h(
    'form',
    { className: 'filters', 'aria-label': t('incidents.filters'), 'data-testid': 'incident-filters' },
    field('f-type', t('common.type'), sel('f-type', types.map((k) => [k, incidentTypeLabel(k)]), val('type'))),
    field('f-from', t('incidents.from'), input('f-from', 'date')),
    field('f-to', t('incidents.to'), input('f-to', 'date')),
    field('f-region', t('common.region'), sel('f-region', (ov?.regions ?? []).map((r) => [r.id, regionLabel(r.id, r.name)]), val('region'))),
    field('f-country', t('common.country'), input('f-country', 'text', { maxlength: 2, size: 3, pattern: '[A-Za-z]{2}', 'aria-describedby': 'f-country-help' }), t('incidents.country_help')),
    field('f-as', t('incidents.as'), input('f-as', 'text', { inputmode: 'numeric', 'aria-describedby': 'f-as-help' }), t('incidents.as_help')),
    field('f-victim', t('incidents.victim'), input('f-victim', 'text', { inputmode: 'numeric' })),
    field('f-prefix', t('incident.prefixes'), input('f-prefix', 'text', { maxlength: 50 })),
    field('f-match', t('incidents.match'), sel('f-match', [['more', t('incidents.match_more')], ['less', t('incidents.match_less')]], val('match'))),
    h('div', { className: 'field buttons' }, h('button', { type: 'submit', 'data-testid': 'filter-submit' }, t('incidents.apply')), h('a', { href: '#/incidents', className: 'button secondary', 'data-testid': 'filter-reset' }, t('incidents.reset'))),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const changes: Record<string, string | null> = { offset: null };
    for (const k of FILTERS) {
      const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`#f-${k}`);
      let v = (el?.value ?? '').trim();
      if (k === 'as' || k === 'victim') v = v.replace(/^as/i, '');
      if (k === 'country') v = v.toUpperCase();
      changes[k] = v;
    }
    if (!changes.prefix) changes.match = null; // match only qualifies a prefix
    go(hrefWith(query, changes));
  });
  put(main, h('h1', { 'data-testid': 'page-title' }, t('incidents.title')), h('p', { className: 'muted' }, t('incidents.intro')), section(t('incidents.filters'), 'h-filters', form));

  const params: Record<string, string | number> = { limit: PAGE_SIZE, offset: Math.max(0, Number(val('offset')) || 0) };
  for (const k of FILTERS) if (val(k)) params[k] = val(k);
  let page: IncidentPage;
  try {
    page = await get<IncidentPage>('incidents', params);
  } catch (e) {
    if (!live()) return;
    const p = unknownParam(e);
    put(main, p ? h('p', { className: 'error', role: 'alert', 'data-testid': 'filter-unsupported' }, t('incidents.filter_unsupported', { param: p })) : errorBox(e));
    return;
  }
  if (!live()) return;
  const offset = page.offset ?? Number(params.offset);
  const limit = page.limit ?? PAGE_SIZE;
  // An older server sends no total: a full page then means "maybe more".
  const total = typeof page.total === 'number' ? page.total : null;
  const from = page.incidents.length ? offset + 1 : 0;
  const to = offset + page.incidents.length;
  const more = total === null ? page.incidents.length >= limit : to < total;
  const pager = h(
    'nav',
    { className: 'pager', 'aria-label': t('incidents.pages') },
    offset > 0 ? h('a', { href: hrefWith(query, { offset: String(Math.max(0, offset - limit)) }), 'data-testid': 'page-prev', rel: 'prev' }, t('incidents.prev')) : null,
    more ? h('a', { href: hrefWith(query, { offset: String(offset + limit) }), 'data-testid': 'page-next', rel: 'next' }, t('incidents.next')) : null,
  );
  const summary =
    total === null
      ? t('incidents.showing_open', { from: fmtNum(from, 0), to: fmtNum(to, 0) })
      : tp('incidents.showing', total, { from: fmtNum(from, 0), to: fmtNum(to, 0) });
  const csvParams: Record<string, string> = {};
  for (const k of FILTERS) if (val(k)) csvParams[k] = val(k);
  put(
    main,
    section(
      t('incidents.results'),
      'h-results',
      h('p', { role: 'status', 'data-testid': 'incidents-total', 'data-total': total ?? '', 'data-from': from, 'data-to': to }, summary),
      incidentList(page.incidents, t('incidents.list_caption'), csvUrl('incidents', csvParams), 'incidents-list'),
      pager,
    ),
  );
}
