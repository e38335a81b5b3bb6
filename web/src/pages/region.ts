// The parts of the region page beyond an aggregate's report (#/region/ID): the region's map, its
// countries ranked, its incidents; and the victim's view of an AS page ("attacks on your prefixes").
import { h } from '../dom';
import { csvUrl, get, unknownParam, type Incident, type IncidentPage, type Overview, type Report } from '../api';
import { t, tDyn, tp } from '../i18n';
import { bandChip, countryName, coverageText, fmtTime, incidentTypeLabel, regionLabel } from '../format';
import { chartBox, mapLegend, readinessMap } from '../charts';
import { asLink, num, scoreCell, section, table } from '../ui';
import { countriesOf, orderRegions } from './overview';
import type { CountryRow } from '../api';

/** Countries ranked by overall (lower bound), missing scores last. */
export function rankCountries(rows: CountryRow[]): CountryRow[] {
  return [...rows].sort((a, b) => (b.overall ?? -1) - (a.overall ?? -1) || a.id.localeCompare(b.id));
}

export function countriesTable(rows: CountryRow[], caption: string): HTMLElement {
  const ranked = rankCountries(rows);
  const rank = new Map(ranked.map((c, i) => [c.id, i + 1]));
  return table(
    caption,
    [
      { label: t('common.country'), cell: (c: CountryRow) => h('a', { href: `#/country/${c.id}` }, countryName(c.id), ` (${c.id})`) },
      { label: t('common.rank'), cell: (c) => num(rank.get(c.id), `country-${c.id}-rank`, 0), numeric: true },
      { label: t('common.overall'), cell: (c) => scoreCell(c.score ?? { score: c.overall, band: c.band }, `country-${c.id}-overall`), numeric: true, sort: (c) => c.overall },
      { label: t('common.band'), cell: (c) => bandChip(c.band, `country-${c.id}-band`) },
      { label: t('common.coverage'), cell: (c) => coverageText(c.score ?? c, 'country'), sort: (c) => { const s = c.score ?? c; return s.of ? (s.measured ?? 0) / s.of : null; } },
      { label: t('common.members'), cell: (c) => num(c.members, `country-${c.id}-members`, 0), numeric: true },
    ],
    ranked,
    csvUrl('ranking', { kind: 'country' }),
    { testid: 'countries-table' },
  );
}

/** Incidents of a list, with culprit and victims (the list page, a region, an AS's attacks). */
export function incidentList(incidents: Incident[], caption: string, csv: string | null, testid: string): HTMLElement {
  return table(
    caption,
    [
      { label: t('common.id'), cell: (i: Incident) => h('a', { href: `#/incident/${i.id}`, 'data-testid': `incident-link-${i.id}` }, `#${i.id}`), sort: (i) => i.id },
      { label: t('common.type'), cell: (i) => incidentTypeLabel(i.type) },
      { label: t('incident.culprit'), cell: (i) => (i.culprit ? asLink(i.culprit) : t('common.na')), sort: (i) => i.culprit },
      { label: t('incident.victims'), cell: (i) => (i.victims?.length ? h('span', null, i.victims.slice(0, 3).flatMap((v, k) => [k ? ', ' : '', asLink(v)]), i.victims.length > 3 ? ` +${i.victims.length - 3}` : '') : t('common.na')) },
      { label: t('incident.prefixes'), cell: (i) => h('span', { className: 'mono' }, i.prefixes.slice(0, 3).join(', '), i.prefixes.length > 3 ? ` +${i.prefixes.length - 3}` : '') },
      { label: t('incident.start'), cell: (i) => fmtTime(i.start), sort: (i) => i.start },
      { label: t('incident.status'), cell: (i) => h('span', { 'data-status': i.status ?? (i.contested ? 'contested' : 'none') }, tDyn(`contest.state.${i.status ?? (i.contested ? 'contested' : 'none')}`, i.status)) },
      { label: t('incident.confidence'), cell: (i) => num(i.confidence), numeric: true },
    ],
    incidents,
    csv,
    { testid },
  );
}

/** The region page's own sections: map, countries ranked, incidents of the region. */
export async function regionSections(r: Report): Promise<HTMLElement[]> {
  const ov = await get<Overview>('overview');
  const countries = (await countriesOf(ov)).filter((c) => c.region === r.id);
  const name = r.name || r.id;
  const mapEl = chartBox(t('overview.map_aria', { scope: name }), 'map', 'chart map');
  setTimeout(() => void readinessMap(mapEl, countries, new Set(countries.map((c) => c.id))), 0);
  let incidents: HTMLElement;
  try {
    const page = await get<IncidentPage>('incidents', { region: r.id, limit: 10 });
    const total = page.total ?? page.incidents.length;
    incidents = h(
      'div',
      null,
      incidentList(page.incidents, t('region.incidents_caption', { scope: name }), csvUrl('incidents', { region: r.id }), 'region-incidents-table'),
      h('p', null, h('a', { href: `#/incidents?region=${r.id}`, 'data-testid': 'region-incidents-link', 'data-total': total }, tp('region.incidents_all', total))),
    );
  } catch (e) {
    if (!unknownParam(e)) throw e;
    incidents = h('p', { className: 'muted', 'data-testid': 'region-incidents-missing' }, t('incidents.filter_unsupported', { param: unknownParam(e) ?? '' }));
  }
  const nav = h(
    'nav',
    { 'aria-label': t('overview.region_selector'), className: 'regions', 'data-testid': 'region-selector' },
    h('ul', null, h('li', null, h('a', { href: '#/', 'data-testid': 'region-world' }, t('overview.world'))), orderRegions(ov.regions).map((x) => h('li', null, h('a', { href: `#/region/${x.id}`, 'aria-current': x.id === r.id ? 'page' : null, 'data-testid': `region-${x.id}` }, regionLabel(x.id, x.name))))),
  );
  return [
    nav,
    h('div', { className: 'grid2' }, section(t('overview.map_title', { scope: name }), 'h-map', mapEl, mapLegend()), section(t('region.incidents_title', { scope: name }), 'h-region-incidents', incidents)),
    section(t('region.countries_title', { scope: name }), 'h-countries', countriesTable(countries, t('overview.countries_caption', { scope: name }))),
  ];
}

/** "Attacks on your prefixes": the incidents whose victims include this AS (method decision 4). */
export function attacksSection(r: Report): HTMLElement {
  const box = h('div', { 'data-testid': 'attacks' });
  const show = (list: Incident[], total: number) => {
    box.dataset.total = String(total);
    box.replaceChildren(
      h('p', { 'data-testid': 'attacks-count' }, tp('attacks.count', total)),
      incidentList(list, t('attacks.caption', { as: `AS${r.id}` }), csvUrl('incidents', { victim: r.id }), 'attacks-table'),
      h('p', null, h('a', { href: `#/incidents?victim=${r.id}`, 'data-testid': 'attacks-list-link' }, t('attacks.see_all'))),
    );
  };
  const a = r.attacks;
  if (Array.isArray(a)) show(a, a.length);
  else if (a && Array.isArray(a.incidents)) show(a.incidents, a.total ?? a.incidents.length);
  else {
    box.append(h('p', { className: 'loading', role: 'status' }, t('common.loading')));
    get<IncidentPage>('incidents', { victim: r.id, limit: 100 })
      .then((p) => show(p.incidents, p.total ?? p.incidents.length))
      .catch((e) => box.replaceChildren(h('p', { className: 'muted', 'data-testid': 'attacks-missing' }, unknownParam(e) ? t('attacks.unsupported') : t('error.generic', { msg: String(e) }))));
  }
  return section(t('attacks.title'), 'h-attacks', h('p', { className: 'muted' }, t('attacks.intro', { as: `AS${r.id}` })), box);
}
