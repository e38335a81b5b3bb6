// The country brief as a PDF: for one country in each of EN, ES and PT, `vigia brief` writes a
// two-page A4 PDF whose numbers (score, band and coverage per action, rank in the region, the
// 12-month trend, the neighbours' scores, the three fixes, the snapshot's dates) equal the API's,
// formatted in that language. Text comes out of the PDF with poppler's pdftotext.
// Usage: node brief.test.mjs BASE_URL WORKDIR VIGIA_BINARY [DB [CASES]]   (run by brief.sh)
// DB: the store BASE_URL serves (default WORKDIR/vigia.db); CASES: "lang:CC,..." (default: the
// largest countries of the simulated store, one per language, plus the page-only checks).
// Prints one line per check and "N passed, N failed"; exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, check, finish } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = join(here, '..', '..', 'web');
const require = createRequire(join(webDir, 'package.json'));
const { chromium } = require('playwright-core');
const { neighbors } = require('topojson-client');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const loc = (name, l) => JSON.parse(readFileSync(join(webDir, 'src', 'locales', `${name}.json`.replace('{l}', l)), 'utf8'));

const [BASE, WORK, VIGIA, DB_ARG, CASES_ARG] = process.argv.slice(2);
const DB = DB_ARG || join(WORK ?? '', 'vigia.db');
const simulated = !CASES_ARG;
if (!BASE || !WORK || !VIGIA) {
  console.error('usage: node brief.test.mjs BASE_URL WORKDIR VIGIA_BINARY');
  process.exit(2);
}

async function api(path) {
  // One retry: a keep-alive socket may have been closed by the server while `vigia brief` ran.
  const res = await fetch(`${BASE}/api/${path}`).catch(() => fetch(`${BASE}/api/${path}`));
  if (!res.ok) throw new Error(`GET /api/${path}: ${res.status}`);
  return res.json();
}
const spaces = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
const squash = (s) => spaces(s).replace(/\s+/g, ' ').trim();

/** The page's formatting and strings for language `l` (the same Intl calls and dictionaries). */
function lang(l) {
  const brief = loc(`brief.${l}`);
  const main = loc(l);
  const tb = (k, vars = {}) => Object.entries(vars).reduce((s, [a, v]) => s.split(`{${a}}`).join(String(v)), brief[k] ?? k);
  const num = (v, d = 2) => (v === null || v === undefined ? main['common.na'] : spaces(new Intl.NumberFormat(l, { maximumFractionDigits: d }).format(v)));
  const date = (day) => spaces(new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`)));
  const names = new Intl.DisplayNames([l], { type: 'region' });
  return { l, brief, main, tb, num, date, country: (cc) => names.of(cc) };
}

/** Coverage of a score entry, by the rule the page documents (method decision 2). */
function coverage(s) {
  const of = s?.of ?? s?.members ?? 0;
  const measured = s?.measured ?? Math.max(0, of - (s?.no_data ?? 0));
  return { measured, of, low: s?.band === 'low_coverage' || measured < 3 || (of > 0 && measured / of < 0.5) };
}
function bandShown(s) {
  if (!s || s.score === null || s.score === undefined) return 'no_data';
  return coverage(s).low ? 'low_coverage' : s.band || 'no_data';
}

/** Land neighbours from the same Natural Earth topology the page reads. */
const NUM = Object.fromEntries(
  [...readFileSync(join(webDir, 'src', 'iso-numeric.ts'), 'utf8').matchAll(/'(\d{3})':'([A-Z]{2})'/g)].map((m) => [m[1], m[2]]),
);
const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
const geoms = topo.objects.countries.geometries;
const codes = geoms.map((g) => NUM[String(g.id)] ?? (g.properties?.name === 'Kosovo' ? 'XK' : ''));
const NB = new Map();
neighbors(geoms).forEach((list, i) => {
  if (!codes[i]) return;
  const s = NB.get(codes[i]) ?? new Set();
  for (const j of list) if (codes[j] && codes[j] !== codes[i]) s.add(codes[j]);
  NB.set(codes[i], s);
});

function pdfText(file, layout) {
  return spaces(execFileSync('pdftotext', [...(layout ? ['-layout'] : []), file, '-'], { encoding: 'utf8' }));
}
function pdfPages(file) {
  const m = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  return m ? Number(m[1]) : -1;
}
/** The -layout line of page `page` that starts with `label` (after indentation). */
function row(pages, page, label, after = null) {
  let lines = pages[page].split('\n').map((x) => x.trim());
  if (after !== null) lines = lines.slice(lines.findIndex((x) => after.test(x)) + 1);
  const found = lines.find((x) => x.startsWith(`${label} `) || x === label);
  if (!found) throw new Error(`page ${page + 1} has no line starting with "${label}"`);
  return found;
}
/** The cells of a -layout table row: runs separated by two or more spaces. */
const cells = (line) => line.split(/\s{2,}/).map((c) => c.trim());

const ov = await api('overview');
const ranking = (await api('ranking?kind=country&limit=1000')).entities;
const snaps = await api('snapshots');
const byId = new Map(ranking.map((e) => [e.id, e]));
const largest = (pred) => ranking.filter(pred).sort((a, b) => b.size - a.size)[0]?.id;
const PT = byId.has('BR') ? 'BR' : largest((e) => e.region === 'lacnic');
const ES = largest((e) => e.region === 'lacnic' && e.id !== PT && (NB.get(e.id)?.size ?? 0) > 0);
const EN = largest((e) => e.region !== 'lacnic' && (NB.get(e.id)?.size ?? 0) > 0);
const cases = CASES_ARG
  ? CASES_ARG.split(',').map((c) => c.split(':'))
  : [
      ['en', EN],
      ['es', ES],
      ['pt', PT],
    ];

for (const [l, cc] of cases) {
  const L = lang(l);
  const pdf = join(WORK, `brief-${simulated ? '' : 'real-'}${cc}-${l}.pdf`);
  let pages = null;
  let flat = '';
  const rep = await api(`country/${cc}?members=0`);
  await check(`${l} ${cc}: vigia brief writes a two-page A4 PDF`, async () => {
    execFileSync(VIGIA, ['brief', '--db', `sqlite:${DB}`, '--country', cc, '--lang', l, '--out', pdf], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120000 });
    assert(existsSync(pdf) && statSync(pdf).size > 1000, `${pdf} missing or empty`);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    assert(/Page size:.*\(A4\)/.test(info), `not A4: ${info.match(/Page size:.*/)?.[0]}`);
    const n = pdfPages(pdf);
    assert(n === 2, `${n} pages, want exactly 2 (summary + method and sources)`);
    pages = pdfText(pdf, true).split('\f');
    flat = squash(pdfText(pdf, false));
  });
  if (!pages) continue;
  const snapDate = L.date(rep.snapshot.date);

  await check(`${l} ${cc}: title, snapshot date and language`, async () => {
    assert(pages[0].includes(`${L.country(cc)} (${cc})`), `no "${L.country(cc)} (${cc})" on page 1`);
    assert(flat.includes(squash(L.tb('brief.facts', { date: snapDate, region: L.main[`region.${rep.region}`], networks: L.num(rep.members.count, 0) }))), 'facts line (date, region, networks) differs');
    assert(pages[0].includes(L.tb('brief.scores_title')) && pages[1].includes(L.tb('brief.methods_title')), 'section titles not in this language');
  });

  await check(`${l} ${cc}: score, band and coverage per action equal /api/country/${cc}`, async () => {
    for (const a of ['action1', 'action2', 'action3', 'action4', 'overall']) {
      const s = rep.scores[a];
      const line = row(pages, 0, L.main[`action.${a}`], new RegExp(`^${L.tb('brief.col.action')}\\s`));
      const c = cells(line);
      assert(c[1] === L.num(s.score) || c[1].startsWith(`${L.num(s.score)} (`), `${a}: score cell "${c[1]}", want ${L.num(s.score)}`);
      const b = bandShown(s);
      const bandText = L.brief[`brief.band.${b}`] ?? L.main[`band.${b}`];
      assert(c[2] === bandText, `${a}: band "${c[2]}", want "${bandText}"`);
      const cv = coverage(s);
      const want = L.tb(cv.low ? 'brief.low_coverage' : 'brief.coverage_from', { n: L.num(cv.measured, 0), m: L.num(cv.of, 0) });
      assert(c[3] === want, `${a}: coverage "${c[3]}", want "${want}"`);
    }
  });

  await check(`${l} ${cc}: rank in the region equals /api/ranking?kind=country`, async () => {
    const mine = ranking.filter((e) => e.region === rep.region && e.overall !== null);
    const me = byId.get(cc);
    const rank = 1 + mine.filter((e) => e.overall > me.overall).length;
    const want = L.tb('brief.rank', { rank: L.num(rank, 0), total: L.num(mine.length, 0), region: L.main[`region.${rep.region}`] });
    assert(flat.includes(squash(want)), `no "${want}"`);
  });

  await check(`${l} ${cc}: the 12-month trend equals the API's monthly history`, async () => {
    const [y, m] = rep.snapshot.date.split('-').map(Number);
    const months = [];
    for (let k = 11; k >= 0; k--) {
      const d = new Date(Date.UTC(y, m - 1 - k, 1));
      months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
    }
    const by = new Map(rep.history_monthly.map((p) => [p.month, p.overall]));
    const first = months.findIndex((x) => by.has(x));
    assert(first >= 0, 'API has no monthly history');
    const shown = months.slice(first);
    const head = row(pages, 0, L.tb('brief.col.month'));
    assert(cells(head).slice(1).join(' ') === shown.join(' '), `months "${cells(head).slice(1).join(' ')}", want "${shown.join(' ')}"`);
    const vals = cells(row(pages, 0, L.tb('brief.col.overall'), new RegExp(`^${L.tb('brief.col.month')}\\s`))).slice(1);
    const want = shown.map((x) => L.num(by.get(x) ?? null));
    assert(vals.join(' | ') === want.join(' | '), `trend "${vals.join(' | ')}", want "${want.join(' | ')}"`);
    if (simulated) assert(shown.filter((x) => by.has(x)).length >= 3, 'fewer than 3 months with data: the test store should have 3');
  });

  await check(`${l} ${cc}: neighbours' scores equal their /api/country reports`, async () => {
    const nb = [...(NB.get(cc) ?? [])].sort((a, b) => (byId.get(b)?.size ?? -1) - (byId.get(a)?.size ?? -1) || a.localeCompare(b)).slice(0, 8);
    const present = nb.filter((x) => byId.has(x));
    assert(present.length > 0, `${cc} has no neighbour with networks: pick another country`);
    const after = new RegExp(`^${L.tb('brief.col.country')}\\s`);
    for (const x of [cc, ...present]) {
      const r = x === cc ? rep : await api(`country/${x}?members=0`);
      const c = cells(row(pages, 0, L.country(x), after));
      const want = [L.num(r.scores.overall.score), ...['action1', 'action2', 'action3', 'action4'].map((a) => L.num(r.scores[a].score) + (r.scores[a].score !== null && coverage(r.scores[a]).low ? '*' : '')), L.num(r.members.count, 0)];
      assert(c.slice(1).join(' | ') === want.join(' | '), `${x}: "${c.slice(1).join(' | ')}", want "${want.join(' | ')}"`);
    }
    const absent = nb.filter((x) => !byId.has(x));
    if (absent.length) assert(flat.includes(squash(L.tb('brief.neighbour_absent', { list: absent.map(L.country).join(', ') }))), 'absent neighbours not listed');
  });

  await check(`${l} ${cc}: three recommended actions equal the API's aggregated fixes`, async () => {
    const top = rep.fixes.by_kind.slice(0, 3);
    assert(top.length === Math.min(3, rep.fixes.by_kind.length), 'fix count');
    for (const f of top) {
      const detail = L.tb('brief.fix_detail', { members: L.num(f.members, 0), items: L.num(f.items, 0), metric: f.metric });
      assert(flat.includes(squash(detail)), `no "${detail}"`);
    }
    if (!top.length) assert(flat.includes(L.tb('brief.fixes_none')), 'no "nothing to fix" line');
  });

  await check(`${l} ${cc}: page 2 gives the method and the sources with their dates (/api/snapshots)`, async () => {
    const snap = snaps.find((s) => s.id === rep.snapshot.id);
    const p2 = squash(pages[1]);
    for (const k of ['scores', 'coverage', 'overall', 'rank', 'neighbours', 'fixes']) assert(flat.includes(squash(L.tb(`brief.method.${k}`)).slice(0, 40)), `method paragraph ${k} missing`);
    assert(p2.includes(L.tb('brief.sources_title')), 'no sources title on page 2');
    // Server warnings (inputs far apart) in the brief's language, through their keys.
    for (const k of snap.provenance?.warning_keys ?? []) {
      const text = loc(`server-score.${l}`)[k.key];
      assert(text, `no ${l} text for ${k.key}`);
      const head = squash(text.split('{')[0]);
      if (head) assert(p2.includes(head), `warning ${k.key} not in ${l}: no "${head}"`);
    }
    if (snap.provenance?.inputs?.length) {
      for (const x of snap.provenance.inputs) if (x.date) assert(p2.includes(L.date(x.date)), `input ${x.input}: no date ${L.date(x.date)}`);
    } else {
      assert(p2.includes(L.date(snap.date)), `no snapshot date ${L.date(snap.date)} on page 2`);
      assert(flat.replace(/\s+/g, '').includes(snap.source.replace(/\s+/g, '')), `no input fingerprint ${snap.source}`);
    }
  });
}

// The Spanish brief on screen (real data: the first case): a screenshot artifact, and no serious
// accessibility violations.
const [shotLang, shotCc] = simulated ? ['es', ES] : cases[0];
const shotFile = simulated ? 'brief-es.png' : `brief-real-${shotCc}-${shotLang}.png`;
await check(`${shotLang} ${shotCc}: screenshot of the brief (${shotFile}) and axe accessibility check`, async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 1400 }, locale: 'en-US', bypassCSP: true })).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${BASE}/#/brief/country/${shotCc}?lang=${shotLang}`);
    await page.waitForSelector('[data-brief-ready="1"]', { timeout: 30000 });
    assert((await page.getAttribute('html', 'lang')) === shotLang, `html lang is not ${shotLang}`);
    await page.screenshot({ path: join(WORK, shotFile), fullPage: true });
    await page.addScriptTag({ content: axeSource });
    const v = await page.evaluate(async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => `${x.id}: ${x.nodes[0]?.target}`));
    assert(v.length === 0, `axe: ${v.join('; ')}`);
    assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
});

// The fields of the issue [3/7] API contract (provenance, measured/of, score_max), injected into the
// answers of this server, which may predate them: the page must show them, not just survive them.
if (simulated) await check('es: the brief shows provenance, the overall interval and a server low-coverage band', async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 1400 }, locale: 'es-419' })).newPage();
    const snapDate = snaps[0].date;
    await page.route('**/api/snapshots', async (route) => {
      const list = await (await route.fetch()).json();
      list[0].provenance = {
        simulated: true,
        observed: snapDate,
        inputs: [
          { input: 'mrt', source: 'RIS rrc00', date: snapDate, age_days: 0 },
          { input: 'rpki', source: 'RIPE NCC RPKI archive', date: '2026-09-01', age_days: 75 },
        ],
        spread_days: 75,
        warnings: ['inputs are 75 days apart'],
      };
      await route.fulfill({ json: list });
    });
    await page.route(`**/api/country/${ES}?*`, async (route) => {
      const r = await (await route.fetch()).json();
      r.scores.overall.score_max = Math.min(100, r.scores.overall.score + 10);
      Object.assign(r.scores.action1, { band: 'low_coverage', measured: 2, of: 40 });
      await route.fulfill({ json: r });
    });
    await page.goto(`${BASE}/#/brief/country/${ES}?lang=es`);
    await page.waitForSelector('[data-brief-ready="1"]', { timeout: 30000 });
    const L = lang('es');
    const text = async (id) => squash((await page.textContent(`[data-testid="${id}"]`)) ?? '');
    assert((await text('brief-simulated')) === L.tb('brief.simulated'), 'no simulated-data banner');
    assert((await text('brief-src-rpki-date')) === L.date('2026-09-01'), `rpki date "${await text('brief-src-rpki-date')}"`);
    assert((await text('brief-spread')) === L.tb('brief.spread', { n: 75 }), 'spread line');
    assert(!(await page.locator('[data-testid="brief-no-provenance"]').count()), 'says there is no provenance');
    const rep = await api(`country/${ES}?members=0`);
    const o = rep.scores.overall.score;
    const want = `${L.num(o)} (${L.tb('brief.interval', { low: L.num(o), high: L.num(Math.min(100, o + 10)) })})`;
    assert((await text('brief-overall')) === want, `overall "${await text('brief-overall')}", want "${want}"`);
    assert((await page.getAttribute('[data-testid="brief-band-action1"]', 'data-band')) === 'low_coverage', 'action1 band');
    assert((await text('brief-coverage-action1')) === L.tb('brief.low_coverage', { n: 2, m: 40 }), 'action1 coverage');
  } finally {
    await browser.close();
  }
});

console.log(`PDFs and ${shotFile} in ${WORK}`);
finish();
