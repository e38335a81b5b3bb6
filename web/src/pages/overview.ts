import { h, put } from '../dom';
import { get, csvUrl, type Overview, type CountryRow, type Coverage, type RankingEntity, type Report, type Score, type Scores } from '../api';
import { t, tDyn } from '../i18n';
import { ACTIONS, actionLabel, bandsOf, bandChip, countryName, coverageText, fmtDate, incidentTypeLabel, regionLabel } from '../format';
import { barChart, chartBox, mapLegend, readinessMap } from '../charts';
import { coverageTable, num, scoreCell, section, table } from '../ui';

/** LACNIC first, then the others in the server's order. */
export function orderRegions<T extends { id: string }>(regions: T[]): T[] {
  return [...regions.filter((r) => r.id === 'lacnic'), ...regions.filter((r) => r.id !== 'lacnic')];
}

export async function countriesOf(ov: Overview): Promise<CountryRow[]> {
  if (ov.countries) return ov.countries;
  // Older servers: the country ranking, and each country's region from the regions' member lists.
  const rk = await get<{ entities: RankingEntity[] }>('ranking', { kind: 'country', limit: 1000 });
  const regionOf = new Map<string, string>();
  await Promise.all(
    ov.regions.map(async (r) => {
      const rep = await get<Report>(`region/${r.id}`, { members: 1000 });
      for (const m of rep.members?.listed ?? []) regionOf.set(m.country, r.id);
    }),
  );
  return rk.entities.map((e) => ({ id: e.id, region: e.region || regionOf.get(e.id) || '', overall: e.overall, band: e.band, members: e.size }));
}

function bandsTable(scores: Scores, scope: string, csv: string): HTMLElement {
  return table(
    t('overview.bands_caption', { scope }),
    [
      { label: t('common.action'), cell: (a: string) => actionLabel(a) },
      { label: t('common.score'), cell: (a) => num(scores[a]?.score, `bands-${a}-score`), numeric: true },
      { label: t('common.band'), cell: (a) => bandChip(scores[a]?.band ?? '', `bands-${a}-band`) },
      ...bandsOf(scores).map((b) => ({ label: tDyn(`band.${b}`), cell: (a: string) => num(scores[a]?.[b as keyof Score] as number | undefined, `bands-${a}-${b}`), numeric: true })),
    ],
    [...ACTIONS],
    csv,
    { testid: 'bands-table' },
  );
}

function coverageBlock(cov: Coverage | undefined, csv: string): HTMLElement {
  return coverageTable(cov, csv) ?? h('p', { className: 'muted', 'data-testid': 'coverage-missing' }, t('overview.coverage_missing'));
}

export async function renderOverview(main: HTMLElement, regionId: string, live: () => boolean): Promise<void> {
  const ov = await get<Overview>('overview');
  const countries = await countriesOf(ov);
  if (!live()) return;
  const regions = orderRegions(ov.regions);
  const region = regions.find((r) => r.id === regionId) ?? null;
  const scope = region ? regionLabel(region.id, region.name) : t('overview.world');
  const scores = region ? region.scores : ov.global;
  const coverage = region ? region.coverage : ov.coverage;
  const shown = region ? countries.filter((c) => c.region === region.id) : countries;
  shown.sort((a, b) => countryName(a.id).localeCompare(countryName(b.id)));

  const regionNav = h(
    'nav',
    { 'aria-label': t('overview.region_selector'), className: 'regions', 'data-testid': 'region-selector' },
    h(
      'ul',
      null,
      h('li', null, h('a', { href: '#/', 'aria-current': region ? null : 'page', 'data-testid': 'region-world' }, t('overview.world'))),
      regions.map((r) => h('li', null, h('a', { href: `#/region/${r.id}`, 'aria-current': region?.id === r.id ? 'page' : null, 'data-testid': `region-${r.id}` }, regionLabel(r.id, r.name)))),
    ),
  );

  const overall = scores.overall;
  const kpis = h(
    'div',
    { className: 'kpis' },
    h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('overview.overall')), h('span', { className: 'kpi-value' }, scoreCell(overall, 'overall-score')), bandChip(overall?.band ?? '', 'overall-band'), h('span', { className: 'cov', 'data-testid': 'overall-coverage' }, coverageText(overall, 'group'))),
    bandsOf(scores).map((b) =>
      h('div', { className: `kpi kpi-${b}` }, h('span', { className: 'kpi-label' }, tDyn(`overview.ases_${b}`)), h('span', { className: 'kpi-value' }, num(overall?.[b as keyof Score] as number | undefined, `kpi-${b}`, 0))),
    ),
  );

  const mapEl = chartBox(t('overview.map_aria', { scope }), 'map', 'chart map world');
  const countryTable = table(
    t('overview.countries_caption', { scope }),
    [
      { label: t('common.country'), cell: (c: CountryRow) => h('a', { href: `#/country/${c.id}` }, countryName(c.id), ` (${c.id})`) },
      { label: t('common.region'), cell: (c) => regionLabel(c.region) },
      { label: t('common.overall'), cell: (c) => scoreCell(c.score ?? { score: c.overall, band: c.band }, `country-${c.id}-overall`), numeric: true, sort: (c) => c.overall },
      { label: t('common.coverage'), cell: (c) => coverageText(c.score, 'country'), sort: (c) => (c.score?.of ? (c.score.measured ?? 0) / c.score.of : null) },
      { label: t('common.band'), cell: (c) => bandChip(c.band, `country-${c.id}-band`) },
      { label: t('common.members'), cell: (c) => num(c.members, `country-${c.id}-members`, 0), numeric: true },
      ...(['ready', 'aspiring', 'lagging'] as const).map((b) => ({ label: tDyn(`band.${b}`), cell: (c: CountryRow) => num(c[b], undefined, 0), numeric: true })),
    ],
    shown,
    csvUrl('ranking', { kind: 'country' }),
    { testid: 'countries-table' },
  );

  const types = Object.keys(ov.incidents).sort();
  const incChart = chartBox(t('overview.incidents_aria'), 'incidents-chart', 'chart short');
  const incTable = table(
    t('overview.incidents_caption'),
    [
      { label: t('common.type'), cell: (k: string) => h('a', { href: `#/incidents?type=${k}`, 'data-testid': `incidents-type-link-${k}` }, incidentTypeLabel(k)) },
      { label: t('common.count'), cell: (k) => num(ov.incidents[k], `incidents-${k}`, 0), numeric: true },
    ],
    types,
    csvUrl('incidents'),
    { testid: 'incidents-table' },
  );

  const regionTable = table(
    t('overview.regions_caption'),
    [
      { label: t('common.region'), cell: (r: (typeof regions)[number]) => h('a', { href: `#/region/${r.id}`, 'data-testid': `region-link-${r.id}` }, regionLabel(r.id, r.name)) },
      { label: t('common.overall'), cell: (r) => num(r.scores.overall?.score, `region-${r.id}-overall`), numeric: true },
      { label: t('common.band'), cell: (r) => bandChip(r.scores.overall?.band ?? '') },
      { label: t('common.members'), cell: (r) => num(r.scores.overall?.members, `region-${r.id}-members`, 0), numeric: true },
    ],
    regions,
    csvUrl('ranking', { kind: 'region' }),
    { testid: 'regions-table' },
  );

  put(main, 
    h('h1', { 'data-testid': 'page-title' }, t('overview.title'), region ? ` · ${scope}` : ''),
    h('p', { className: 'muted' }, t('common.snapshot', { date: fmtDate(ov.snapshot.date) }), ' · ', t('overview.intro')),
    regionNav,
    kpis,
    h('div', { className: 'grid2' }, section(t('overview.map_title', { scope }), 'h-map', mapEl, mapLegend()), section(t('overview.coverage_title', { scope }), 'h-cov', coverageBlock(coverage, region ? csvUrl(`region/${region.id}`) : csvUrl('group/all')))),
    section(
      t('overview.bands_title', { scope }),
      'h-bands',
      bandsTable(scores, scope, region ? csvUrl(`region/${region.id}`) : csvUrl('group/all')),
      region ? h('p', null, h('a', { href: `#/region/${region.id}`, 'data-testid': 'region-report-link' }, t('overview.region_report', { scope }))) : null,
    ),
    h('div', { className: 'grid2' }, section(t('overview.incidents_title'), 'h-inc', incChart, incTable), region ? null : section(t('overview.regions_title'), 'h-regions', regionTable)),
    section(t('overview.countries_title', { scope }), 'h-countries', countryTable),
  );

  barChart(incChart, types.map(incidentTypeLabel), [{ name: t('common.count'), data: types.map((k) => ov.incidents[k]) }], { horizontal: true });
  await readinessMap(mapEl, shown, region ? new Set(shown.map((c) => c.id)) : null);
}

