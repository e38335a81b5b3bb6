// The country brief for decision makers (issue [3/7] item 4): #/brief/country/CC?lang=es[&date=D].
// Page 1 (one A4 page): score per action with its coverage, the 12-month trend, the rank in the
// region, the land neighbours side by side, three recommended actions. Page 2: method and sources
// with their dates. `vigia brief` prints it to PDF with headless Chromium (web/scripts/brief-pdf.mjs),
// waiting for [data-brief-ready="1"]; brief.css holds the print layout.
// Everything comes from the API of `vigia serve`: /api/country/{id}, /api/ranking?kind=country,
// /api/snapshots, and each neighbour's /api/country/{id}. Fields of the issue [3/7] API contract that
// an older server lacks (measured/of, score_max, provenance) fall back to what it sends.
// Its strings are in locales/brief.{en,es,pt}.json, read here with tb() so this page works whether or
// not i18n.ts merges every locales/*.json.
import '../brief.css';
import { neighbors } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import world50Url from 'world-atlas/countries-50m.json?url';
import { h, put } from '../dom';
import { get, type Report, type RankingEntity, type Score } from '../api';
import { LANGS, lang, setLang, tDyn, tServer, type Lang } from '../i18n';
import { actionLabel, countryName, fixLabel, fmtDate, fmtNum, regionLabel } from '../format';
import { NAME_TO_ALPHA2, NUMERIC_TO_ALPHA2 } from '../iso-numeric';
import briefEn from '../locales/brief.en.json';
import briefEs from '../locales/brief.es.json';
import briefPt from '../locales/brief.pt.json';

const DICTS: Record<Lang, Record<string, string>> = { en: briefEn, es: briefEs, pt: briefPt };
const ACTIONS4 = ['action1', 'action2', 'action3', 'action4'] as const;
const MAX_NEIGHBOURS = 8;
const TREND_MONTHS = 12;

/** A brief string in the current language, `{name}` placeholders filled from `vars`. */
function tb(key: string, vars?: Record<string, string | number>): string {
  let s = DICTS[lang()][key] ?? DICTS.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** The label of the link to the brief (the country page shows it). */
export function briefLinkLabel(): string {
  return tb('brief.link');
}

// ---- The numbers, with the contract's fields when the server has them ----

/** A score entry as the issue [3/7] contract gives it (older servers: members/no_data only). */
interface ScoreEntry extends Score {
  score_max?: number | null;
  measured?: number;
  of?: number;
}

export interface Coverage {
  measured: number;
  of: number;
  low: boolean;
}

/**
 * How many networks a country score rests on: `measured` of `of`, from the contract's fields or
 * (older servers) members - no_data of members. Low coverage (method decision 2): fewer than 3
 * networks or fewer than half of them; the server's own "low_coverage" band also counts.
 */
export function coverageOf(s: ScoreEntry | undefined): Coverage {
  const of = s?.of ?? s?.members ?? 0;
  const measured = s?.measured ?? Math.max(0, of - (s?.no_data ?? 0));
  const low = s?.band === 'low_coverage' || measured < 3 || (of > 0 && measured / of < 0.5);
  return { measured, of, low };
}

/** The band shown: "low_coverage" when the coverage is low, else the server's band. */
export function shownBand(s: ScoreEntry | undefined): string {
  if (!s || s.score === null || s.score === undefined) return 'no_data';
  if (coverageOf(s).low) return 'low_coverage';
  return s.band || 'no_data';
}

function bandText(b: string): string {
  const k = `brief.band.${b}`;
  return k in DICTS.en ? tb(k) : tDyn(`band.${b || 'no_data'}`, b);
}

function bandChip(b: string, testid?: string): HTMLElement {
  return h('span', { className: `band band-${b}`, 'data-band': b, 'data-testid': testid }, bandText(b));
}

/** "58.44" or "58.44 (between 40 and 70)" when the overall is an interval. */
function scoreText(s: ScoreEntry | undefined): string {
  if (!s || s.score === null || s.score === undefined) return fmtNum(null);
  const max = s.score_max;
  if (max !== null && max !== undefined && Math.abs(max - s.score) > 1e-9) return `${fmtNum(s.score)} (${tb('brief.interval', { low: fmtNum(s.score), high: fmtNum(max) })})`;
  return fmtNum(s.score);
}

function coverageText(s: ScoreEntry | undefined): string {
  const c = coverageOf(s);
  return tb(c.low ? 'brief.low_coverage' : 'brief.coverage_from', { n: fmtNum(c.measured, 0), m: fmtNum(c.of, 0) });
}

/** Competition rank (equal scores share a rank) of `id` among `rows` with a score, highest first. */
export function rankIn(rows: { id: string; overall: number | null }[], id: string): { rank: number; total: number } | null {
  const scored = rows.filter((r) => r.overall !== null && r.overall !== undefined);
  const me = scored.find((r) => r.id === id);
  if (!me) return null;
  return { rank: 1 + scored.filter((r) => (r.overall as number) > (me.overall as number)).length, total: scored.length };
}

// ---- Land neighbours from the world-atlas topology ----

let neighbourTable: Map<string, Set<string>> | null = null;

/** Every country's land neighbours: shared arcs in Natural Earth 1:50m (topojson-client's neighbors). */
async function landNeighbours(): Promise<Map<string, Set<string>>> {
  if (neighbourTable) return neighbourTable;
  const topo = (await (await fetch(world50Url)).json()) as Topology;
  const geoms = (topo.objects.countries as GeometryCollection).geometries;
  const codes = geoms.map((g) => (g.id !== undefined && NUMERIC_TO_ALPHA2[String(g.id)]) || NAME_TO_ALPHA2[(g.properties as { name?: string } | undefined)?.name ?? ''] || '');
  const table = new Map<string, Set<string>>();
  neighbors(geoms).forEach((list, i) => {
    const me = codes[i];
    if (!me) return;
    const set = table.get(me) ?? new Set<string>();
    for (const j of list) if (codes[j] && codes[j] !== me) set.add(codes[j]);
    table.set(me, set);
  });
  neighbourTable = table;
  return table;
}

// ---- Rendering ----

interface SnapshotRow {
  id: number;
  date: string;
  window_start?: string;
  window_end?: string;
  source?: string;
  created?: string;
  partial?: boolean;
  missing?: string[];
  provenance?: {
    simulated?: boolean;
    observed?: string;
    inputs?: { input: string; source?: string; date?: string | null; age_days?: number | null }[];
    spread_days?: number | null;
    warnings?: string[];
    warning_keys?: { key: string; args?: Record<string, string | number> }[];
  };
}

type ByKind = { metric: string; what: string; members: number; items: number; key?: string; args?: Record<string, string | number> }[];

function fixText(f: ByKind[number]): string {
  if (f.key) {
    let s = tDyn(f.key, '');
    if (s) {
      for (const [k, v] of Object.entries(f.args ?? {})) s = s.split(`{${k}}`).join(String(v));
      return s;
    }
  }
  return fixLabel(f.what);
}

function table(caption: string, head: string[], rows: (Node | string)[][], testid: string, numericFrom = 1, className = ''): HTMLElement {
  return h(
    'table',
    { className: `brief-table ${className}`.trim(), 'data-testid': testid },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((x, i) => h('th', { scope: 'col', className: i >= numericFrom ? 'n' : null }, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { className: i >= numericFrom ? 'n' : null }, c)))))),
  );
}

/** A small SVG line of the monthly overall (0..100), drawn without a chart library so it prints crisply. */
function trendSvg(points: (number | null)[], label: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const W = 600, H = 90, L = 28, R = 8, T = 6, B = 6;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'brief-trend');
  const x = (i: number) => L + (points.length <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (points.length - 1));
  const y = (v: number) => T + ((100 - v) * (H - T - B)) / 100;
  for (const v of [0, 50, 80, 100]) {
    const line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', String(L));
    line.setAttribute('x2', String(W - R));
    line.setAttribute('y1', String(y(v)));
    line.setAttribute('y2', String(y(v)));
    line.setAttribute('class', 'grid');
    svg.appendChild(line);
    const tx = document.createElementNS(ns, 'text');
    tx.setAttribute('x', String(L - 4));
    tx.setAttribute('y', String(y(v) + 3));
    tx.setAttribute('text-anchor', 'end');
    tx.textContent = String(v);
    svg.appendChild(tx);
  }
  // Months without a snapshot are gaps in the table; the line joins the months that have one.
  let d = '';
  points.forEach((v, i) => {
    if (v === null) return;
    d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', x(i).toFixed(1));
    c.setAttribute('cy', y(v).toFixed(1));
    c.setAttribute('r', '3');
    svg.appendChild(c);
  });
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('class', 'line');
  svg.insertBefore(path, svg.querySelector('circle'));
  return svg;
}

/** The 12 months up to `date`'s month, as YYYY-MM. */
export function last12Months(date: string): string[] {
  const [y, m] = date.split('-').map(Number);
  const out: string[] = [];
  for (let k = TREND_MONTHS - 1; k >= 0; k--) {
    const d = new Date(Date.UTC(y, m - 1 - k, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

const RELOAD_KEY = 'vigia.brief.reloaded';
function reloadOnce(): boolean {
  try {
    if (sessionStorage.getItem(RELOAD_KEY) || localStorage.getItem('vigia.lang') !== lang()) return false;
    sessionStorage.setItem(RELOAD_KEY, '1');
  } catch {
    return false;
  }
  location.reload();
  return true;
}

/**
 * Keeps the summary on one A4 page: when its content is taller than 297 mm (long names, two-line
 * fixes, many neighbours), it is zoomed down in steps to 85 %, its box widened and heightened by the
 * inverse so that it still prints as exactly one 210 x 297 mm sheet. The renderer
 * (web/scripts/brief-pdf.mjs) still refuses a summary taller than a page.
 */
function fitOnA4(page: HTMLElement): void {
  const a4 = (297 / 25.4) * 96;
  page.style.minHeight = '0';
  let zoom = 1;
  while (page.getBoundingClientRect().height > a4 - 2 && zoom > 0.86) {
    zoom = Math.round((zoom - 0.03) * 100) / 100;
    page.style.setProperty('zoom', String(zoom));
    page.style.width = `${210 / zoom}mm`;
  }
  page.style.minHeight = zoom < 1 ? `${296 / zoom}mm` : '';
  if (zoom < 1) page.dataset.zoom = String(zoom);
}

export async function renderBrief(main: HTMLElement, kind: string, id: string, query: URLSearchParams, live: () => boolean): Promise<void> {
  const want = query.get('lang');
  if (want && (LANGS as string[]).includes(want) && want !== lang()) {
    setLang(want as Lang);
    // The site header was drawn in the previous language: once, load the app again so that all of
    // it speaks `want` (a no-op once i18n.ts takes the language from the URL before drawing).
    if (reloadOnce()) return new Promise<void>(() => {});
  }
  try {
    sessionStorage.removeItem(RELOAD_KEY);
  } catch {
    /* storage unavailable */
  }
  document.documentElement.lang = lang();
  if (kind !== 'country') throw Object.assign(new Error('only country briefs exist'), { status: 404 });
  const cc = id.toUpperCase();
  const date = query.get('date') ?? undefined;
  const dp = date ? { date } : {};

  const [rep, ranking, snaps, nbTable] = await Promise.all([
    get<Report>(`country/${encodeURIComponent(cc)}`, { ...dp, members: 0 }),
    get<{ entities: RankingEntity[] }>('ranking', { ...dp, kind: 'country', limit: 1000 }),
    get<SnapshotRow[]>('snapshots').catch(() => [] as SnapshotRow[]),
    landNeighbours().catch(() => new Map<string, Set<string>>()),
  ]);
  if (!live()) return;
  const scores = rep.scores as Record<string, ScoreEntry>;
  const snap = snaps.find((s) => s.id === rep.snapshot.id);
  const prov = snap?.provenance;
  const country = countryName(cc);
  const region = regionLabel(rep.region);
  const snapDate = fmtDate(rep.snapshot.date);

  // Neighbours: present in this snapshot's ranking, largest first; each one's report for per-action scores.
  const inRanking = new Map(ranking.entities.map((e) => [e.id, e]));
  const nbAll = [...(nbTable.get(cc) ?? [])].sort((a, b) => (inRanking.get(b)?.size ?? -1) - (inRanking.get(a)?.size ?? -1) || a.localeCompare(b));
  const nbShown = nbAll.slice(0, MAX_NEIGHBOURS);
  const nbReports = await Promise.all(nbShown.map((n) => (inRanking.has(n) ? get<Report>(`country/${n}`, { ...dp, members: 0 }).catch(() => null) : Promise.resolve(null))));
  if (!live()) return;

  // ---- Page 1 ----
  const overall = scores.overall;
  const ov = coverageOf(overall);
  const header = h(
    'header',
    { className: 'brief-head' },
    h('p', { className: 'brief-kicker' }, tb('brief.kicker')),
    h('h1', { 'data-testid': 'page-title' }, tb('brief.title', { country: `${country} (${cc})` })),
    h('p', { className: 'brief-facts', 'data-testid': 'brief-facts' }, tb('brief.facts', { date: snapDate, region, networks: fmtNum(rep.members?.count ?? ov.of, 0) })),
    prov?.simulated ? h('p', { className: 'brief-simulated', role: 'note', 'data-testid': 'brief-simulated' }, tb('brief.simulated')) : null,
  );

  const rk = rankIn(ranking.entities.filter((e) => e.region === rep.region), cc);
  const regionRows = ranking.entities.filter((e) => e.region === rep.region && e.overall !== null).sort((a, b) => (b.overall as number) - (a.overall as number));
  const median = regionRows.length ? (regionRows[(regionRows.length - 1) >> 1].overall! + regionRows[regionRows.length >> 1].overall!) / 2 : null;
  const kpis = h(
    'div',
    { className: 'brief-kpis' },
    h(
      'div',
      { className: 'brief-kpi' },
      h('span', { className: 'kpi-label' }, tb('brief.overall_label')),
      h('span', { className: 'kpi-value', 'data-testid': 'brief-overall' }, scoreText(overall)),
      bandChip(shownBand(overall), 'brief-overall-band'),
      h('span', { className: 'kpi-note', 'data-testid': 'brief-overall-coverage' }, coverageText(overall)),
    ),
    h(
      'div',
      { className: 'brief-kpi' },
      h('span', { className: 'kpi-label' }, tb('brief.rank_title')),
      rk
        ? h('span', { className: 'kpi-value rank', 'data-testid': 'brief-rank' }, tb('brief.rank', { rank: fmtNum(rk.rank, 0), total: fmtNum(rk.total, 0), region }))
        : h('span', { className: 'kpi-value rank', 'data-testid': 'brief-rank' }, tb('brief.rank_none')),
      regionRows.length
        ? h('span', { className: 'kpi-note' }, tb('brief.rank_detail', { best: countryName(regionRows[0].id), best_score: fmtNum(regionRows[0].overall), median: fmtNum(median) }))
        : null,
    ),
  );

  const scoreRows = [...ACTIONS4, 'overall'].map((a) => [
    actionLabel(a),
    h('span', { 'data-testid': `brief-score-${a}` }, scoreText(scores[a])),
    bandChip(shownBand(scores[a]), `brief-band-${a}`),
    h('span', { 'data-testid': `brief-coverage-${a}` }, coverageText(scores[a])),
  ]);
  const scoresSec = h(
    'section',
    { className: 'brief-sec', 'aria-labelledby': 'b-scores' },
    h('h2', { id: 'b-scores' }, tb('brief.scores_title')),
    table(tb('brief.scores_caption', { date: snapDate }), [tb('brief.col.action'), tb('brief.col.score'), tb('brief.col.band'), tb('brief.col.coverage')], scoreRows, 'brief-scores', 1, 'brief-scores'),
  );

  // Trend: the report's monthly history, the 12 months up to the snapshot.
  const months = last12Months(rep.snapshot.date);
  const byMonth = new Map((rep.history_monthly ?? []).map((p) => [p.month, p.overall]));
  const series = months.map((m) => (byMonth.has(m) ? (byMonth.get(m) ?? null) : null));
  const withData = months.map((m, i) => ({ m, v: series[i] })).filter((p) => p.v !== null) as { m: string; v: number }[];
  const firstM = months.findIndex((_, i) => series[i] !== null);
  const shownMonths = firstM < 0 ? months.slice(-1) : months.slice(firstM);
  const trendSec = h(
    'section',
    { className: 'brief-sec', 'aria-labelledby': 'b-trend' },
    h('h2', { id: 'b-trend' }, tb('brief.trend_title')),
    trendSvg(series, tb('brief.trend_aria', { country })),
    table(
      tb('brief.trend_caption', { from: shownMonths[0], to: shownMonths[shownMonths.length - 1] }),
      [tb('brief.col.month'), ...shownMonths],
      [[tb('brief.col.overall'), ...shownMonths.map((m) => h('span', { 'data-testid': `brief-trend-${m}` }, fmtNum(byMonth.get(m) ?? null)))]],
      'brief-trend',
      1,
    ),
    h(
      'p',
      { className: 'brief-note', 'data-testid': 'brief-trend-change' },
      withData.length >= 2
        ? tb('brief.trend_change', {
            from: fmtNum(withData[0].v),
            m1: withData[0].m,
            to: fmtNum(withData[withData.length - 1].v),
            m2: withData[withData.length - 1].m,
            delta: (withData[withData.length - 1].v - withData[0].v >= 0 ? '+' : '') + fmtNum(withData[withData.length - 1].v - withData[0].v),
          })
        : tb('brief.trend_one'),
    ),
  );

  const nbRows: (Node | string)[][] = [];
  const actionCells = (r: Report | null, idp: string) =>
    ACTIONS4.map((a) => {
      const s = (r?.scores as Record<string, ScoreEntry> | undefined)?.[a];
      const low = s && s.score !== null && s.score !== undefined && coverageOf(s).low;
      return h('span', { 'data-testid': `brief-nb-${idp}-${a}`, 'data-low': low ? '1' : null }, fmtNum(s?.score ?? null), low ? '*' : '');
    });
  nbRows.push([
    h('strong', null, country),
    h('span', { 'data-testid': `brief-nb-${cc}-overall` }, fmtNum(overall?.score ?? null)),
    ...actionCells(rep, cc),
    h('span', { 'data-testid': `brief-nb-${cc}-networks` }, fmtNum(rep.members?.count ?? null, 0)),
  ]);
  nbShown.forEach((n, i) => {
    const e = inRanking.get(n);
    if (e) nbRows.push([countryName(n), h('span', { 'data-testid': `brief-nb-${n}-overall` }, fmtNum(e.overall)), ...actionCells(nbReports[i], n), h('span', { 'data-testid': `brief-nb-${n}-networks` }, fmtNum(e.size, 0))]);
  });
  const nbAbsent = nbShown.filter((n) => !inRanking.has(n));
  const nbSec = h(
    'section',
    { className: 'brief-sec', 'aria-labelledby': 'b-nb' },
    h('h2', { id: 'b-nb' }, tb('brief.neighbours_title')),
    nbAll.length
      ? table(
          tb('brief.neighbours_caption', { date: snapDate }),
          [tb('brief.col.country'), tb('brief.col.overall'), ...ACTIONS4.map((a) => `A${a.slice(-1)}`), tb('brief.col.networks')],
          nbRows,
          'brief-neighbours',
          1,
        )
      : h('p', { 'data-testid': 'brief-neighbours-none' }, tb('brief.neighbours_none')),
    h('p', { className: 'brief-note' }, tb('brief.neighbours_low')),
    nbAbsent.length ? h('p', { className: 'brief-note', 'data-testid': 'brief-nb-absent' }, tb('brief.neighbour_absent', { list: nbAbsent.map(countryName).join(', ') })) : null,
    nbAll.length > nbShown.length ? h('p', { className: 'brief-note' }, tb('brief.neighbours_more', { n: nbAll.length - nbShown.length })) : null,
  );

  const fixes = Array.isArray(rep.fixes) ? null : rep.fixes;
  const top = ((fixes?.by_kind ?? []) as ByKind).slice(0, 3);
  const fixSec = h(
    'section',
    { className: 'brief-sec', 'aria-labelledby': 'b-fix' },
    h('h2', { id: 'b-fix' }, tb('brief.fixes_title')),
    top.length
      ? h(
          'ol',
          { className: 'brief-fixes', 'data-testid': 'brief-fixes' },
          top.map((f, i) =>
            h(
              'li',
              { 'data-testid': `brief-fix-${i + 1}` },
              h('strong', null, fixText(f)),
              ' ',
              h('span', { className: 'brief-note' }, tb('brief.fix_detail', { members: fmtNum(f.members, 0), items: fmtNum(f.items, 0), metric: f.metric })),
            ),
          ),
        )
      : h('p', { 'data-testid': 'brief-fixes-none' }, tb('brief.fixes_none')),
    fixes && fixes.overall_now !== null && fixes.overall_if_all_fixed !== null
      ? h('p', { className: 'brief-note', 'data-testid': 'brief-fixes-gain' }, tb('brief.fixes_gain', { now: fmtNum(fixes.overall_now), after: fmtNum(fixes.overall_if_all_fixed) }))
      : null,
  );

  const page1 = h(
    'article',
    { className: 'brief-page brief-page1', 'data-testid': 'brief-page-1' },
    header,
    kpis,
    scoresSec,
    fixSec,
    trendSec,
    nbSec,
    h('p', { className: 'brief-foot' }, tb('brief.page1_note', { date: snapDate }), ' ', h('span', { className: 'brief-pageno' }, tb('brief.page_of', { n: 1 }))),
  );

  // ---- Page 2: method and sources ----
  const srcRows: (Node | string)[][] = [];
  if (prov?.inputs?.length) {
    for (const x of prov.inputs) {
      srcRows.push([
        tb(`brief.input.${x.input}`) === `brief.input.${x.input}` ? x.input : tb(`brief.input.${x.input}`),
        h('span', { className: 'mono' }, x.source || fmtNum(null)),
        h('span', { 'data-testid': `brief-src-${x.input}-date` }, x.date ? fmtDate(x.date) : fmtNum(null)),
        x.age_days === null || x.age_days === undefined ? fmtNum(null) : x.age_days < 0 ? tb('brief.after_days', { n: fmtNum(-x.age_days, 0) }) : tb('brief.age_days', { n: fmtNum(x.age_days, 0) }),
      ]);
    }
  } else if (snap) {
    const day = (iso?: string) => (iso ? fmtDate(iso.slice(0, 10)) : fmtNum(null));
    srcRows.push([tb('brief.src.window'), `${day(snap.window_start)} – ${day(snap.window_end)}`, h('span', { 'data-testid': 'brief-src-window-date' }, fmtDate(snap.date)), fmtNum(null)]);
    const src = snap.source ?? '';
    srcRows.push([tb('brief.src.inputs'), h('span', { className: 'mono' }, src.length > 28 ? `${src.slice(0, 27)}…` : src || fmtNum(null)), fmtDate(snap.date), fmtNum(null)]);
    srcRows.push([tb('brief.src.computed'), 'vigia analyze', day(snap.created), fmtNum(null)]);
  }
  const apiPaths = [`/api/country/${cc}`, '/api/ranking?kind=country', '/api/snapshots'].join(', ');
  const page2 = h(
    'article',
    { className: 'brief-page brief-page2', 'data-testid': 'brief-page-2' },
    h('h2', { className: 'brief-h1' }, tb('brief.methods_title')),
    h(
      'section',
      { className: 'brief-sec', 'aria-labelledby': 'b-method' },
      h('h3', { id: 'b-method' }, tb('brief.method_title')),
      ['scores', 'coverage', 'overall', 'bands', 'trend', 'rank', 'neighbours', 'fixes'].map((k) => h('p', null, tb(`brief.method.${k}`))),
    ),
    h(
      'section',
      { className: 'brief-sec', 'aria-labelledby': 'b-src' },
      h('h3', { id: 'b-src' }, tb('brief.sources_title')),
      prov?.inputs?.length ? null : h('p', { className: 'brief-note', 'data-testid': 'brief-no-provenance' }, tb('brief.no_provenance')),
      table(tb('brief.sources_caption', { date: snapDate }), [tb('brief.col.input'), tb('brief.col.source'), tb('brief.col.date'), tb('brief.col.age')], srcRows, 'brief-sources', 9),
      !prov?.inputs?.length && (snap?.source?.length ?? 0) > 28 ? h('p', { className: 'brief-note' }, tb('brief.src.fingerprint'), ' ', h('span', { className: 'mono', 'data-testid': 'brief-src-fingerprint' }, snap!.source!)) : null,
      prov?.spread_days !== null && prov?.spread_days !== undefined ? h('p', { 'data-testid': 'brief-spread' }, tb('brief.spread', { n: fmtNum(prov.spread_days, 0) })) : null,
      prov && ((prov.spread_days ?? 0) > 30 || (prov.warnings?.length ?? 0) > 0) ? h('p', { className: 'brief-warning', role: 'note' }, tb('brief.spread_warning'), prov.warnings?.length ? ` (${prov.warnings.map((w, i) => (prov.warning_keys?.[i] ? tServer({ ...prov.warning_keys[i], text: w }) : w)).join('; ')})` : '') : null,
      snap?.partial ? h('p', { className: 'brief-warning' }, tb('brief.partial', { list: (snap.missing ?? []).join(', ') })) : null,
    ),
    h('p', { className: 'brief-note' }, tb('brief.limits')),
    h('p', { className: 'brief-note' }, tb('brief.generated', { date: fmtDate(new Date().toISOString().slice(0, 10)), api: apiPaths })),
    h('p', { className: 'brief-foot' }, h('span', { className: 'brief-pageno' }, tb('brief.page_of', { n: 2 }))),
  );

  const back = `#/country/${cc}${lang() !== 'en' ? `?lang=${lang()}` : ''}`;
  put(
    main,
    h(
      'div',
      { className: 'brief-tools noprint' },
      h('button', { type: 'button', onclick: (() => window.print()) as EventListener, 'data-testid': 'brief-print' }, tb('brief.print')),
      h('a', { className: 'button', href: back }, tb('brief.back')),
    ),
    h('div', { className: 'brief', 'data-testid': 'brief', 'data-country': cc, 'data-lang': lang(), 'data-snapshot': rep.snapshot.date }, page1, page2),
  );
  fitOnA4(page1);
  main.querySelector<HTMLElement>('.brief')!.dataset.briefReady = '1';
}
