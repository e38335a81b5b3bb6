// Reports on one AS, country, region, IXP or group (the same API shape), and the printable version.
import { h, put } from '../dom';
import { get, csvUrl, type Report, type Member, type Incident, type Contest, type Score } from '../api';
import { lang, t, tDyn, tp, tServer } from '../i18n';
import { ACTIONS, actionLabel, bandsOf, bandChip, countryName, coverageText, fixLabel, fmtDate, fmtNum, fmtTime, incidentTypeLabel, metricLabel, regionLabel } from '../format';
import { historySection } from '../history';
import { attacksSection, regionSections } from './region';
import { asLink, coverageTable, num, scoreCell, section, table } from '../ui';
import { briefLinkLabel } from './brief';
import { checklistSection, memberFixCell, memberRsBad, rsCheckSection } from './ixp';

const MEMBERS_SHOWN = 1000;

export function entityTitle(r: { kind: string; id: string; name: string }): string {
  switch (r.kind) {
    case 'as':
      return `AS${r.id} · ${r.name}`;
    case 'country':
      return `${countryName(r.id)} (${r.id})`;
    case 'region':
      return regionLabel(r.id, r.name);
    case 'group':
      return tDyn(`group.${r.id}`, r.name);
    default:
      return r.name;
  }
}

function scoresTable(r: Report): HTMLElement {
  const agg = r.kind !== 'as';
  return table(
    t('report.scores_caption'),
    [
      { label: t('common.action'), cell: (a: string) => h('span', null, actionLabel(a), a === 'overall' ? null : h('span', { className: 'muted small' }, ` — ${tDyn(`action.${a}.what`)}`)) },
      { label: t('common.score'), cell: (a) => scoreCell(r.scores[a], `score-${a}`), numeric: true, sort: (a) => r.scores[a]?.score },
      { label: t('common.band'), cell: (a) => bandChip(r.scores[a]?.band ?? '', `band-${a}`) },
      { label: t('common.coverage'), cell: (a) => h('span', { 'data-testid': `coverage-${a}` }, coverageText(r.scores[a], r.kind)), sort: (a) => (r.scores[a]?.of ? (r.scores[a].measured ?? 0) / (r.scores[a].of as number) : null) },
      ...(agg ? bandsOf(r.scores).map((b) => ({ label: tDyn(`band.${b}`), cell: (a: string) => num(r.scores[a]?.[b as keyof Score] as number | undefined, `count-${a}-${b}`, 0), numeric: true })) : []),
    ],
    [...ACTIONS],
    csvUrl(`${r.kind}/${r.id}`),
    { testid: 'scores-table' },
  );
}

function metricsTable(r: Report): HTMLElement {
  const ids = Object.keys(r.metrics);
  const agg = r.kind !== 'as';
  return table(
    t('report.metrics_caption'),
    [
      { label: t('common.metric'), cell: (id: string) => h('span', null, h('abbr', { title: r.metrics[id].title }, id), ' ', metricLabel(id, r.metrics[id].title)) },
      agg
        ? { label: t('report.metric_mean'), cell: (id) => num(r.metrics[id].mean, `metric-${id}`), numeric: true }
        : { label: t('report.metric_value'), cell: (id) => num(r.metrics[id].value, `metric-${id}`), numeric: true },
      agg
        ? { label: t('report.members_with_data'), cell: (id) => num(r.metrics[id].members_with_data, undefined, 0), numeric: true }
        : { label: t('report.metric_raw'), cell: (id) => num(r.metrics[id].raw, undefined, 4), numeric: true },
    ],
    ids,
    csvUrl(`${r.kind}/${r.id}`),
    { testid: 'metrics-table' },
  );
}

/** RPKI/IRR coverage of the members' originated routes (aggregate reports); nothing when the store has none. */
function coverageSection(r: Report): HTMLElement | null {
  const tbl = coverageTable(r.coverage, csvUrl(`${r.kind}/${r.id}`));
  return tbl ? section(t('report.coverage_title'), 'h-coverage', tbl) : null;
}

function membersTable(r: Report): HTMLElement | null {
  if (!r.members) return null;
  const m = r.members;
  return section(
    t('report.members_title'),
    'h-members',
    h('p', { className: 'muted' }, t('report.members_count', { shown: fmtNum(m.listed.length), count: fmtNum(m.count) })),
    table(
      t('report.members_caption'),
      [
        { label: t('common.as'), cell: (x: Member) => asLink(x.asn) },
        { label: t('common.name'), cell: (x) => x.name },
        { label: t('common.country'), cell: (x) => (x.country ? h('a', { href: `#/country/${x.country}` }, countryName(x.country)) : t('common.na')) },
        { label: t('common.manrs'), cell: (x) => (x.manrs ? t('common.yes') : t('common.no')) },
        { label: t('common.overall'), cell: (x) => scoreCell({ score: x.overall, score_max: x.overall_max, band: x.band }, `member-${x.asn}-overall`), numeric: true, sort: (x) => x.overall },
        { label: t('common.band'), cell: (x) => bandChip(x.band, `member-${x.asn}-band`) },
        // An IXP's members: what each must fix, and its bad routes at the route server (pages/ixp.ts).
        ...(r.kind === 'ixp'
          ? [
              { label: t('ixp.rs_bad_col'), cell: (x: Member) => (r.rs_check ? num(memberRsBad(r, x), `member-${x.asn}-rs-bad`, 0) : h('span', { className: 'muted', 'data-testid': `member-${x.asn}-rs-bad`, 'data-value': '' }, t('ixp.not_checked'))), numeric: true, sort: (x: Member) => memberRsBad(r, x) },
              { label: t('ixp.must_fix'), cell: (x: Member) => memberFixCell(r, x), sortable: false },
            ]
          : []),
      ],
      m.listed,
      csvUrl(`${r.kind}/${r.id}`),
      { testid: 'members-table' },
    ),
  );
}

function fixesSection(r: Report): HTMLElement {
  const f = r.fixes;
  if (Array.isArray(f)) {
    return section(
      t('report.fixes_title'),
      'h-fixes',
      table(
        t('report.fixes_caption'),
        [
          { label: t('common.metric'), cell: (x: (typeof f)[number]) => h('abbr', { title: metricLabel(x.metric) }, x.metric) },
          { label: t('report.fix_what'), cell: (x) => h('span', null, tServer({ key: x.key, args: x.args, text: fixLabel(x.what) }), x.items.length ? h('details', null, h('summary', null, tp('report.fix_items', x.items.length)), h('ul', { className: 'mono' }, x.items.map((i) => h('li', null, i)))) : null) },
          { label: t('common.count'), cell: (x) => num(x.count, undefined, 0), numeric: true },
          { label: t('report.fix_overall_after'), cell: (x) => num(x.overall_after), numeric: true },
        ],
        f,
        csvUrl(`${r.kind}/${r.id}`),
        { testid: 'fixes-table' },
      ),
    );
  }
  return section(
    t('report.fixes_title'),
    'h-fixes',
    h('p', null, t('report.fixes_gain', { now: fmtNum(f.overall_now), after: fmtNum(f.overall_if_all_fixed) })),
    table(
      t('report.fixes_caption'),
      [
        { label: t('common.metric'), cell: (x: (typeof f.by_kind)[number]) => h('abbr', { title: metricLabel(x.metric) }, x.metric) },
        { label: t('report.fix_what'), cell: (x) => fixLabel(x.what) },
        { label: t('common.members'), cell: (x) => num(x.members, undefined, 0), numeric: true },
        { label: t('report.fix_items_col'), cell: (x) => num(x.items, undefined, 0), numeric: true },
      ],
      f.by_kind,
      csvUrl(`${r.kind}/${r.id}`),
      { testid: 'fixes-table' },
    ),
  );
}

export function incidentsTable(incidents: Incident[], csv: string): HTMLElement {
  return table(
    t('incidents.caption'),
    [
      { label: t('common.id'), cell: (i: Incident) => h('a', { href: `#/incident/${i.id}`, 'data-testid': `incident-link-${i.id}` }, `#${i.id}`) },
      { label: t('common.type'), cell: (i) => incidentTypeLabel(i.type) },
      { label: t('incident.role'), cell: (i) => (i.role ? tDyn(`role.${i.role}`, i.role) : t('common.na')) },
      { label: t('incident.prefixes'), cell: (i) => h('span', { className: 'mono' }, i.prefixes.slice(0, 3).join(', '), i.prefixes.length > 3 ? ` +${i.prefixes.length - 3}` : '') },
      { label: t('incident.start'), cell: (i) => fmtTime(i.start) },
      { label: t('incident.confidence'), cell: (i) => num(i.confidence), numeric: true },
      { label: t('incident.contested'), cell: (i) => (i.contested ? t('common.yes') : t('common.no')) },
    ],
    incidents,
    csv,
    { testid: 'incidents-table' },
  );
}

export function contestsTable(contests: Contest[], csv: string | null, withIncident: boolean): HTMLElement {
  return table(
    t('contest.log_caption'),
    [
      ...(withIncident ? [{ label: t('contest.incident'), cell: (c: Contest) => h('a', { href: `#/incident/${c.incident}` }, `#${c.incident}`) }] : []),
      { label: t('contest.time'), cell: (c: Contest) => fmtTime(c.time) },
      { label: t('contest.author'), cell: (c) => h('span', { 'data-testid': `contest-${c.id}-author` }, c.author) },
      { label: t('contest.reason'), cell: (c) => h('span', { 'data-testid': `contest-${c.id}-reason` }, c.reason) },
    ],
    contests,
    csv,
    { testid: 'contests-table', empty: t('contest.none') },
  );
}

/** The scoreboard's notes (server-made text, translated through their keys). */
function notesBlock(r: Report): HTMLElement | null {
  if (!r.notes?.length) return null;
  return h('ul', { className: 'notes muted', 'data-testid': 'report-notes' }, r.notes.map((n) => h('li', null, tServer(n))));
}

export async function renderEntity(main: HTMLElement, kind: string, id: string, print: boolean, live: () => boolean): Promise<void> {
  const r = await get<Report>(`${kind}/${encodeURIComponent(id)}`, kind === 'as' ? undefined : { members: print ? 50 : MEMBERS_SHOWN });
  if (!live()) return;
  const title = entityTitle(r);
  const facts: (Node | string)[] = [t('common.snapshot', { date: fmtDate(r.snapshot.date) })];
  if (r.country && r.kind !== 'country') facts.push(' · ', t('common.country'), ': ', h('a', { href: `#/country/${r.country}` }, countryName(r.country)));
  if (r.region && r.kind !== 'region') facts.push(' · ', t('common.region'), ': ', h('a', { href: `#/region/${r.region}` }, regionLabel(r.region)));
  if (r.kind === 'as') facts.push(' · ', r.manrs ? t('report.manrs_yes') : t('report.manrs_no'));

  const tools = h(
    'div',
    { className: 'tools noprint' },
    r.kind === 'country' || r.kind === 'region'
      ? print
        ? h('button', { type: 'button', onclick: (() => window.print()) as EventListener, 'data-testid': 'print-button' }, t('report.print'))
        : h('a', { className: 'button', href: `#/${r.kind}/${r.id}/print`, 'data-testid': 'print-link' }, t('report.printable'))
      : null,
    print ? h('a', { className: 'button', href: `#/${r.kind}/${r.id}` }, t('report.back')) : null,
    r.kind === 'as' || r.kind === 'country' ? h('a', { className: 'button', href: `#/compare?kind=${r.kind}&ids=${r.id}` }, t('report.compare')) : null,
    r.kind === 'country' ? h('a', { className: 'button', href: `#/incidents?country=${r.id}`, 'data-testid': 'country-incidents-link' }, t('report.country_incidents')) : null,
    r.kind === 'country' ? h('a', { className: 'button', href: `#/brief/country/${r.id}?lang=${lang()}`, 'data-testid': 'brief-link' }, briefLinkLabel()) : null,
  );

  const overall = r.scores.overall;
  put(main, 
    h('p', { className: 'crumb muted' }, tDyn(`kind.${r.kind}`, r.kind)),
    h('h1', { 'data-testid': 'page-title' }, print ? t('report.print_title', { name: title }) : title),
    h('p', { className: 'muted' }, ...facts),
    tools,
    h(
      'div',
      { className: 'kpis' },
      h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('overview.overall')), h('span', { className: 'kpi-value' }, scoreCell(overall, 'overall-score')), bandChip(overall?.band ?? '', 'overall-band'), h('span', { className: 'cov', 'data-testid': 'overall-coverage' }, coverageText(overall, r.kind))),
      r.members ? h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('common.members')), h('span', { className: 'kpi-value' }, num(r.members.count, 'members-count', 0))) : null,
      r.routes ? h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('report.routes_originated')), h('span', { className: 'kpi-value' }, num(r.routes.originated, 'routes-originated', 0))) : null,
      r.incidents ? h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('report.incidents_count')), h('a', { className: 'kpi-value', href: `#/incidents?as=${r.id}`, 'data-testid': 'incidents-count-link' }, num(r.incidents.length, 'incidents-count', 0))) : null,
    ),
    print ? h('p', { className: 'lead' }, t('report.print_intro', { name: title, score: fmtNum(overall?.score), band: tDyn(`band.${overall?.band || 'no_data'}`) })) : null,
    notesBlock(r),
    ...(r.kind === 'region' ? await regionSections(r) : []),
    r.kind === 'ixp' ? checklistSection(r) : null,
    r.kind === 'ixp' ? rsCheckSection(r) : null,
    section(t('report.scores_title'), 'h-scores', scoresTable(r)),
    section(t('report.metrics_title'), 'h-metrics', metricsTable(r)),
    coverageSection(r),
    r.routes
      ? section(
          t('report.routes_title'),
          'h-routes',
          h(
            'dl',
            { className: 'facts' },
            h('dt', null, t('coverage.rpki_valid')),
            h('dd', null, num(r.routes.rpki.valid, 'routes-rpki-valid', 0)),
            h('dt', null, t('coverage.rpki_invalid')),
            h('dd', null, num(r.routes.rpki.invalid, 'routes-rpki-invalid', 0)),
            h('dt', null, t('coverage.rpki_not_found')),
            h('dd', null, num(r.routes.rpki.not_found, 'routes-rpki-not_found', 0)),
            h('dt', null, t('coverage.irr_registered')),
            h('dd', null, num(r.routes.irr_registered, 'routes-irr-registered', 0)),
          ),
        )
      : null,
    historySection(r, title, print),
    fixesSection(r),
    r.incidents
      ? section(
          t('report.incidents_title'),
          'h-incidents',
          incidentsTable(r.incidents, csvUrl('incidents', { as: r.id })),
          h('p', null, h('a', { href: `#/incidents?as=${r.id}`, 'data-testid': 'incidents-list-link' }, t('incidents.see_all'))),
        )
      : null,
    r.kind === 'as' ? attacksSection(r) : null,
    r.kind === 'as'
      ? section(
          t('contest.log_title'),
          'h-contests',
          r.contests ? contestsTable(r.contests, csvUrl(`as/${r.id}`), true) : h('p', { className: 'muted', 'data-testid': 'contests-missing' }, t('contest.log_missing')),
        )
      : null,
    membersTable(r),
  );
}
