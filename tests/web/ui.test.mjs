// Browser checks of the Vigía web app against a running `vigia serve --web`.
// Usage: node ui.test.mjs BASE_URL WORKDIR TOKEN
// Prints one line per check and "N passed, N failed"; exits 1 on any failure.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = join(here, '..', '..', 'web');
const require = createRequire(join(webDir, 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const dict = Object.fromEntries(['en', 'es', 'pt'].map((l) => [l, JSON.parse(readFileSync(join(webDir, 'src', 'locales', `${l}.json`), 'utf8'))]));

const [BASE, WORKDIR, TOKEN, TOKEN_NAME = 'web-test-noc'] = process.argv.slice(2);
if (!BASE || !WORKDIR || !TOKEN) {
  console.error('usage: node ui.test.mjs BASE_URL WORKDIR TOKEN');
  process.exit(2);
}
const shots = join(WORKDIR, 'screenshots');
mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e && e.message ? e.message : String(e)).split('\n')[0]}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
}
async function api(path) {
  const res = await fetch(`${BASE}/api/${path}`);
  if (!res.ok) throw new Error(`GET /api/${path}: ${res.status}`);
  return res.json();
}
const round2 = (v) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
// bypassCSP: axe-core is injected as an inline script; the app itself runs under the server's CSP.
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', bypassCSP: true });
const page = await context.newPage();
const consoleErrors = [];
let allowHttpErrors = false;
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  if (allowHttpErrors && /status of 40[0-4]/.test(m.text())) return;
  consoleErrors.push(`${page.url()}: ${m.text()}`);
});
page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message} ${(e.stack ?? '').split('\n').slice(1, 4).join(' ')}`));

/** Open a hash route and wait until the app has rendered it. */
async function open(hash) {
  await page.goto(`${BASE}/${hash}`);
  await waitRoute(hash);
}
async function waitRoute(hash) {
  await page.waitForSelector(`main[data-ready="1"][data-route="${hash}"]`, { timeout: 10000 });
}
/** The number shown at data-testid (English formatting), null for "—". */
async function shown(testid) {
  const el = page.locator(`[data-testid="${testid}"]`).first();
  const text = (await el.textContent({ timeout: 3000 })).trim();
  if (text === '—') return null;
  const v = Number(text.replace(/,/g, '').replace('%', ''));
  if (Number.isNaN(v)) throw new Error(`${testid}: "${text}" is not a number`);
  return v;
}
async function same(testid, apiValue) {
  eq(await shown(testid), round2(apiValue ?? null), testid);
}
/** The coverage table shows the API's RPKI/IRR coverage (required: fail when the API has none). */
async function sameCoverage(cov, what) {
  assert(cov?.rpki && cov?.irr, `${what}: API has no coverage`);
  eq(await rows('coverage-table'), 6, `${what}: coverage rows`);
  for (const k of ['routes', 'valid', 'invalid', 'not_found']) await same(`rpki-${k}`, cov.rpki[k]);
  for (const k of ['routes', 'registered']) await same(`irr-${k}`, cov.irr[k]);
}
async function rows(testid) {
  return page.locator(`[data-testid="${testid}"] tbody tr`).count();
}
async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
async function axe(name) {
  await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0]?.target}`);
  });
  eq(res.join('; '), '', `axe serious/critical violations on ${name}`);
}
async function everyTableHasCsv() {
  const n = await page.locator('.table-wrap').count();
  const withCsv = await page.locator('.table-wrap > a.csv').count();
  eq(withCsv, n, 'tables with a Download CSV link');
  const hrefs = await page.locator('.table-wrap > a.csv').evaluateAll((as) => as.map((a) => a.href));
  for (const href of [...new Set(hrefs)]) {
    const res = await fetch(href);
    eq(res.status, 200, `GET ${href}`);
    assert((res.headers.get('content-type') ?? '').startsWith('text/csv'), `${href} is not text/csv`);
  }
}

const ov = await api('overview');
const snapshot = ov.snapshot.date;

// ---------- Overview ----------
await check('overview: global numbers equal /api/overview', async () => {
  await open('#/');
  eq(await page.locator('html').getAttribute('lang'), 'en', 'html lang');
  await same('overall-score', ov.global.overall.score);
  for (const b of ['ready', 'aspiring', 'lagging', 'no_data']) await same(`kpi-${b}`, ov.global.overall[b]);
  for (const a of ['action1', 'action2', 'action3', 'action4', 'overall']) {
    await same(`bands-${a}-score`, ov.global[a].score);
    for (const b of ['ready', 'aspiring', 'lagging', 'no_data']) await same(`bands-${a}-${b}`, ov.global[a][b]);
  }
});
await check('overview: incidents per type equal the API', async () => {
  for (const [type, n] of Object.entries(ov.incidents)) await same(`incidents-${type}`, n);
});
await check('overview: RPKI and IRR coverage equal the API', () => sameCoverage(ov.coverage, 'overview'));
await check('overview: map drawn and country table equals the API', async () => {
  assert(ov.countries?.length, 'API has no countries');
  eq(await rows('countries-table'), ov.countries.length, 'country rows');
  for (const c of ov.countries.slice(0, 15)) {
    await same(`country-${c.id}-overall`, c.overall);
    eq(await page.getAttribute(`[data-testid="country-${c.id}-band"]`, 'data-band'), c.band || 'no_data', `band of ${c.id}`);
  }
  await page.waitForSelector('[data-testid="map"] svg path', { timeout: 10000 });
  const paths = await page.locator('[data-testid="map"] svg path').count();
  assert(paths > 100, `map has ${paths} paths`);
  assert(await page.getAttribute('[data-testid="map"]', 'aria-label'), 'map has no aria-label');
});
await check('overview: region selector lists LACNIC first', async () => {
  const ids = await page.locator('[data-testid="region-selector"] a').evaluateAll((as) => as.map((a) => a.dataset.testid));
  eq(ids[1], 'region-lacnic', 'first region');
  eq(ids.length, ov.regions.length + 1, 'region links');
});
await check('overview: every table has a working CSV link', everyTableHasCsv);
await shot('overview-en');
await check('overview: no serious accessibility violations (axe)', () => axe('overview'));

for (const r of [...ov.regions.filter((x) => x.id === 'lacnic'), ...ov.regions.filter((x) => x.id !== 'lacnic')]) {
  await check(`overview filtered to ${r.id}: numbers, countries, coverage`, async () => {
    if (r.id === 'lacnic') {
      await page.click('[data-testid="region-lacnic"]');
      await waitRoute('#/overview/lacnic');
    } else await open(`#/overview/${r.id}`);
    eq(await page.getAttribute(`[data-testid="region-${r.id}"]`, 'aria-current'), 'page', 'aria-current');
    await same('overall-score', r.scores.overall.score);
    for (const b of ['ready', 'aspiring', 'lagging', 'no_data']) await same(`kpi-${b}`, r.scores.overall[b]);
    const mine = ov.countries.filter((c) => c.region === r.id);
    eq(await rows('countries-table'), mine.length || 1, 'country rows');
    if (r.coverage) await same('rpki-valid', r.coverage.rpki.valid);
    await page.waitForSelector('[data-testid="map"] svg path', { timeout: 10000 });
    if (r.id === 'lacnic') await shot('overview-lacnic');
  });
}

// ---------- Region reports ----------
for (const r of ov.regions) {
  await check(`region report ${r.id}: scores and bands equal /api/region/${r.id}`, async () => {
    const rep = await api(`region/${r.id}?members=1000`);
    await open(`#/region/${r.id}`);
    for (const a of ['action1', 'action2', 'action3', 'action4', 'overall']) {
      await same(`score-${a}`, rep.scores[a].score);
      await same(`count-${a}-ready`, rep.scores[a].ready);
      await same(`count-${a}-lagging`, rep.scores[a].lagging);
    }
    await same('members-count', rep.members.count);
    eq(await rows('members-table'), rep.members.listed.length, 'member rows');
    await sameCoverage(rep.coverage, `region ${r.id}`);
    if (r.id === 'lacnic') {
      await everyTableHasCsv();
      await shot('region-lacnic');
    }
  });
}

// ---------- Country ----------
const country = [...ov.countries].filter((c) => c.region === 'lacnic').sort((a, b) => b.members - a.members)[0];
await check(`country ${country.id}: scores, metrics, members, fixes, history`, async () => {
  const rep = await api(`country/${country.id}?members=1000`);
  await open(`#/country/${country.id}`);
  const title = await page.textContent('[data-testid="page-title"]');
  assert(title.includes(new Intl.DisplayNames(['en'], { type: 'region' }).of(country.id)), `title "${title}" lacks the country name`);
  for (const a of ['action1', 'action2', 'action3', 'action4', 'overall']) {
    await same(`score-${a}`, rep.scores[a].score);
    eq(await page.getAttribute(`[data-testid="band-${a}"]`, 'data-band'), rep.scores[a].band || 'no_data', `band ${a}`);
  }
  for (const [m, v] of Object.entries(rep.metrics)) await same(`metric-${m}`, v.mean);
  eq(await rows('members-table'), rep.members.listed.length, 'member rows');
  for (const m of rep.members.listed.slice(0, 10)) await same(`member-${m.asn}-overall`, m.overall);
  eq(await rows('fixes-table'), rep.fixes.by_kind.length || 1, 'fix rows');
  await sameCoverage(rep.coverage, `country ${country.id}`);
  eq(await rows('history-table'), rep.history.length, 'daily history rows');
  await page.click('[data-testid="history-monthly"]');
  eq(await page.getAttribute('[data-testid="history-monthly"]', 'aria-pressed'), 'true', 'monthly pressed');
  eq(await rows('history-table'), rep.history_monthly.length, 'monthly history rows');
  assert(await page.locator('[data-testid="history-chart"] svg').count(), 'no history chart');
  await everyTableHasCsv();
  await shot(`country-${country.id}`);
});
await check(`country ${country.id}: printable report`, async () => {
  const rep = await api(`country/${country.id}`);
  await page.click('[data-testid="print-link"]');
  await waitRoute(`#/country/${country.id}/print`);
  assert(await page.isVisible('[data-testid="print-button"]'), 'no Print button');
  await same('score-overall', rep.scores.overall.score);
  await sameCoverage(rep.coverage, `country ${country.id} print`);
  await page.emulateMedia({ media: 'print' });
  assert(await page.isVisible('[data-testid="coverage-table"]'), 'coverage table hidden in print');
  assert(!(await page.isVisible('header.site')), 'header visible in print');
  assert(!(await page.isVisible('[data-testid="print-button"]')), 'Print button visible in print');
  await shot(`country-${country.id}-print`);
  await page.pdf({ path: join(shots, `country-${country.id}-print.pdf`), format: 'A4' });
  await page.emulateMedia({ media: 'screen' });
});

// ---------- AS through the search box ----------
const hij = (await api('incidents?type=hijack&limit=1')).incidents[0] ?? (await api('incidents?limit=1')).incidents[0];
const asn = String(hij.culprit);
await check(`search by ASN ${asn} opens the AS page with the API's numbers`, async () => {
  await open('#/');
  await page.fill('[data-testid="search-input"]', asn);
  await page.press('[data-testid="search-input"]', 'Enter');
  await waitRoute(`#/as/${asn}`);
  const rep = await api(`as/${asn}`);
  for (const a of ['action1', 'action2', 'action3', 'action4', 'overall']) await same(`score-${a}`, rep.scores[a].score);
  for (const [m, v] of Object.entries(rep.metrics)) await same(`metric-${m}`, v.value);
  await same('incidents-count', rep.incidents.length);
  eq(await rows('incidents-table'), rep.incidents.length || 1, 'incident rows');
  await same('routes-originated', rep.routes.originated);
  await same('routes-rpki-valid', rep.routes.rpki.valid);
  eq(await rows('fixes-table'), rep.fixes.length || 1, 'fix rows');
  assert(Array.isArray(rep.contests), 'API report has no contests');
  await everyTableHasCsv();
  await shot(`as-${asn}`);
});
await check('AS page: no serious accessibility violations (axe)', () => axe('as'));

const byName = (await api('ranking?kind=as&limit=50')).entities.find((e) => e.name && e.id !== asn);
await check(`search by name "${byName.name}" finds AS${byName.id}`, async () => {
  const q = byName.name;
  await open('#/');
  await page.fill('[data-testid="search-input"]', q);
  await page.press('[data-testid="search-input"]', 'Enter');
  await page.waitForFunction((id) => ['#/search?q=', `#/as/${id}`].some((h) => (document.querySelector('main')?.dataset.route ?? '').startsWith(h)) && document.querySelector('main')?.dataset.ready === '1', byName.id);
  if (!page.url().includes(`#/as/${byName.id}`)) {
    await page.click(`[data-testid="result-as-${byName.id}"]`);
    await waitRoute(`#/as/${byName.id}`);
  }
  const rep = await api(`as/${byName.id}`);
  assert((await page.textContent('[data-testid="page-title"]')).includes(rep.name), 'title lacks the AS name');
  await same('overall-score', rep.scores.overall.score);
});
await check('search results page lists the API results', async () => {
  const q = byName.name.split(' ')[0];
  const res = await api(`search?q=${encodeURIComponent(q)}&limit=50`);
  await open(`#/search?q=${encodeURIComponent(q)}`);
  eq(await page.locator('[data-testid="search-results"] li').count(), res.results.length, 'results');
  await shot('search');
});

// ---------- IXP ----------
const ixp = (await api('ranking?kind=ixp&limit=100')).entities.sort((a, b) => b.size - a.size)[0];
await check(`IXP ${ixp.id}: members and their bands equal the API`, async () => {
  const rep = await api(`ixp/${ixp.id}?members=1000`);
  await open(`#/ixp/${ixp.id}`);
  await same('score-overall', rep.scores.overall.score);
  eq(await rows('members-table'), rep.members.listed.length, 'member rows');
  for (const m of rep.members.listed) {
    eq(await page.getAttribute(`[data-testid="member-${m.asn}-band"]`, 'data-band'), m.band || 'no_data', `band of AS${m.asn}`);
    await same(`member-${m.asn}-overall`, m.overall);
  }
  await everyTableHasCsv();
  await shot(`ixp-${ixp.id}`);
});

// ---------- Incident ----------
await check(`incident ${hij.id}: evidence equals /api/incidents/${hij.id}`, async () => {
  await open(`#/as/${asn}`);
  await page.click(`[data-testid="incident-link-${hij.id}"]`);
  await waitRoute(`#/incident/${hij.id}`);
  const inc = await api(`incidents/${hij.id}`);
  eq(await page.getAttribute('[data-testid="incident-type"]', 'data-value'), inc.type, 'type');
  eq(await page.getAttribute('[data-testid="incident-culprit"]', 'data-value'), String(inc.culprit), 'culprit');
  eq(await page.getAttribute('[data-testid="incident-propagator"]', 'data-value'), String(inc.propagator), 'propagator');
  await same('incident-confidence', inc.confidence);
  await same('incident-prefix-count', inc.prefixes.length);
  await same('incident-peers-seen', inc.evidence.peers_seen);
  eq(await page.locator('[data-testid="incident-prefixes"] li').count(), inc.prefixes.length, 'prefixes');
  eq(await page.locator('[data-testid="incident-paths"] li').count(), inc.evidence.example_paths.length, 'paths');
  eq(await page.locator('[data-testid="incident-peers"] li').count(), inc.evidence.peers.length, 'peers');
  eq(await page.locator('[data-testid="incident-reasons"] li').count(), inc.evidence.reasons.length, 'reasons');
  eq(await page.getAttribute('[data-testid="incident-start"] time', 'datetime'), inc.start, 'start');
  await shot(`incident-${hij.id}`);
});
await check('incident page: no serious accessibility violations (axe)', () => axe('incident'));

const author = `Test NOC ${Date.now()}`;
await check('contest: a bad token is refused (401) in the UI', async () => {
  allowHttpErrors = true;
  await page.fill('[data-testid="contest-token"]', 'wrong-token-wrong-token');
  await page.fill('[data-testid="contest-author"]', author);
  await page.fill('[data-testid="contest-reason"]', 'should not be stored');
  await page.click('[data-testid="contest-submit"]');
  await page.waitForSelector('[data-testid="contest-status"][data-result]');
  eq(await page.getAttribute('[data-testid="contest-status"]', 'data-result'), '401', 'result');
  allowHttpErrors = false;
});
await check('contest through the UI is recorded by the API and shown in the AS audit log', async () => {
  const reason = 'Our customer holds this prefix (LOA on file)';
  await page.fill('[data-testid="contest-token"]', TOKEN);
  await page.fill('[data-testid="contest-reason"]', reason);
  await page.evaluate(() => document.querySelector('[data-testid="contest-status"]').removeAttribute('data-result'));
  await page.click('[data-testid="contest-submit"]');
  await page.waitForSelector('[data-testid="contest-status"][data-result]');
  eq(await page.getAttribute('[data-testid="contest-status"]', 'data-result'), 'ok', 'result');
  eq(await page.evaluate(() => sessionStorage.getItem('vigia.token')), TOKEN, 'token kept in sessionStorage');
  const inc = await api(`incidents/${hij.id}`);
  // The author is the operator token's name (docs/contests.md), not the typed one.
  const c = (inc.contests ?? []).find((x) => x.reason === reason && x.author === TOKEN_NAME);
  assert(c, 'API incident has no such contest');
  eq(c.reason, reason, 'reason');
  assert(inc.contested, 'incident not marked contested');
  await page.waitForSelector(`[data-testid="contest-${c.id}-author"]`);
  eq(await page.textContent('[data-testid="incident-contested"]'), dict.en['common.yes'], 'contested shown');
  const rep = await api(`as/${hij.culprit}`);
  assert((rep.contests ?? []).some((x) => x.id === c.id && x.author === TOKEN_NAME), 'AS audit log lacks the contest');
  await shot(`incident-${hij.id}-contested`);
  await open(`#/as/${hij.culprit}`);
  eq((await page.textContent(`[data-testid="contests-table"] [data-testid="contest-${c.id}-author"]`)).trim(), TOKEN_NAME, 'author in the audit log');
  await shot(`as-${hij.culprit}-audit-log`);
});

// ---------- Comparison ----------
const cmpCountries = [...ov.countries].sort((a, b) => b.members - a.members).slice(0, 3).map((c) => c.id);
await check(`compare countries ${cmpCountries.join(',')} through the form`, async () => {
  await page.click('[data-testid="nav-compare"]');
  await waitRoute('#/compare');
  await page.selectOption('[data-testid="compare-kind"]', 'country');
  await page.fill('[data-testid="compare-ids"]', cmpCountries.join(', '));
  await page.press('[data-testid="compare-ids"]', 'Enter');
  await page.waitForFunction(() => document.querySelector('main')?.dataset.route?.startsWith('#/compare?') && document.querySelector('main')?.dataset.ready === '1');
  const c = await api(`compare?kind=country&ids=${cmpCountries.join(',')}`);
  eq(c.entities.length, cmpCountries.length, 'entities');
  for (const e of c.entities) {
    for (const a of ['action1', 'action2', 'action3', 'action4', 'overall']) await same(`cmp-${e.id}-${a}`, e.scores[a].score);
    for (const [m, v] of Object.entries(e.metrics)) await same(`cmp-${e.id}-${m}`, v);
  }
  assert(await page.locator('[data-testid="compare-chart"] svg').count(), 'no chart');
  await everyTableHasCsv();
  await shot('compare-countries');
});
const cmpAses = [asn, byName.id];
await check(`compare ASes ${cmpAses.join(',')}`, async () => {
  const c = await api(`compare?kind=as&ids=${cmpAses.join(',')}`);
  await open(`#/compare?kind=as&ids=${cmpAses.join(',')}`);
  for (const e of c.entities) await same(`cmp-${e.id}-overall`, e.scores.overall.score);
  await shot('compare-ases');
});

// ---------- Languages ----------
for (const l of ['es', 'pt']) {
  await check(`language ${l}: strings, <html lang>, number format`, async () => {
    await open('#/');
    await page.selectOption('[data-testid="lang-select"]', l);
    await waitRoute('#/');
    eq(await page.locator('html').getAttribute('lang'), l, 'html lang');
    eq((await page.textContent('[data-testid="nav-overview"]')).trim(), dict[l]['nav.overview'], 'nav');
    eq((await page.textContent('[data-testid="page-title"]')).trim(), dict[l]['overview.title'], 'title');
    eq((await page.textContent('label[for="search"]')).trim(), dict[l]['search.label'], 'search label');
    eq((await page.textContent('[data-testid="overall-band"]')).trim(), dict[l][`band.${ov.global.overall.band || 'no_data'}`], 'band');
    eq((await page.textContent('[data-testid="overall-score"]')).trim(), new Intl.NumberFormat(l, { maximumFractionDigits: 2 }).format(ov.global.overall.score), 'number format');
    const br = await page.textContent(`a[href="#/country/${country.id}"]`);
    assert(br.includes(new Intl.DisplayNames([l], { type: 'region' }).of(country.id)), `country name not in ${l}: ${br}`);
    await shot(`overview-${l}`);
    await page.reload();
    await waitRoute('#/');
    eq(await page.locator('html').getAttribute('lang'), l, 'language kept after reload');
  });
}
await check('language pt: AS page and incident page translated', async () => {
  await open(`#/incident/${hij.id}`);
  eq((await page.textContent('#h-evidence')).trim(), dict.pt['incident.evidence'], 'evidence heading');
  // The type's display key (src/detect/incident_type.cc: itype.<name>).
  eq((await page.textContent('[data-testid="incident-type"]')).trim(), dict.pt[`itype.${hij.type}`], 'incident type');
  await open(`#/as/${asn}`);
  eq((await page.textContent('#h-scores')).trim(), dict.pt['report.scores_title'], 'scores heading');
  // The API's fix texts are English; each is shown as its fix.<code> translation.
  const fixes = (await api(`as/${asn}`)).fixes;
  assert(fixes.length > 0, `AS${asn} has no fix to check`);
  const shown = await page.textContent('[data-testid="fixes-table"]');
  for (const f of fixes) {
    const key = Object.keys(dict.en).find((k) => k.startsWith('fix.') && dict.en[k] === f.what);
    assert(key, `no fix.* key in en.json for "${f.what}"`);
    assert(shown.includes(dict.pt[key]), `fix "${f.what}" is not shown as "${dict.pt[key]}"`);
  }
  await page.selectOption('[data-testid="lang-select"]', 'en');
  await waitRoute(`#/as/${asn}`);
  eq(await page.locator('html').getAttribute('lang'), 'en', 'back to en');
});

// ---------- Keyboard ----------
await check('keyboard: skip link, main links and the search box are reachable; Enter activates', async () => {
  const active = () => page.evaluate(() => document.activeElement?.dataset.testid || document.activeElement?.id || document.activeElement?.tagName);
  await page.goto('about:blank');
  await open('#/');
  const order = [];
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    order.push(await active());
    if (order.at(-1) === 'region-lacnic') break;
  }
  eq(order[0], 'skip-link', 'first Tab');
  for (const want of ['nav-overview', 'nav-lacnic', 'nav-compare', 'search-input', 'lang-select', 'region-lacnic']) assert(order.includes(want), `Tab never reached ${want} (got ${order.join(' ')})`);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== 'none', 'no visible focus outline');
  await page.keyboard.press('Enter');
  await waitRoute('#/overview/lacnic');
  await page.goto('about:blank');
  await open('#/');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  eq(await active(), 'main', 'Enter on the skip link focuses main');
  await page.keyboard.press('Tab');
  eq(await active(), 'region-world', 'Tab after the skip link goes into the content');
  for (let i = 0; i < 10 && (await active()) !== 'search-input'; i++) await page.keyboard.press('Shift+Tab');
  eq(await active(), 'search-input', 'Shift+Tab back to the search box');
  await page.keyboard.type(asn);
  await page.keyboard.press('Enter');
  await waitRoute(`#/as/${asn}`);
});

await check('no console errors on any page', async () => {
  eq(consoleErrors.join(' | '), '', 'console errors');
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
