// Browser checks of the routing-history page (issue 18 item 4) against a running `vigia serve --web
// --archive` (tests/web/history.sh). Usage: node history.test.mjs BASE_URL WORKDIR PREFIX ASN
// In English and Spanish: a prefix's rows (one per origin and path per day) and an AS's rows (one
// per prefix per day) as /api/history/* gives them, the timeline drawn, the page's texts from the
// dictionaries; a malformed prefix shows the API's 400 message.
import { join } from 'node:path';
import { apiClient, check, eq, finish, launchApp, loadDictionaries, screenshotDir } from './harness.mjs';

const [BASE, WORKDIR, PREFIX, ASN] = process.argv.slice(2);
if (!BASE || !WORKDIR || !PREFIX || !ASN) {
  console.error('usage: node history.test.mjs BASE_URL WORKDIR PREFIX ASN');
  process.exit(2);
}
const dict = loadDictionaries(['en', 'es']);
const shots = screenshotDir(WORKDIR);
const api = apiClient(BASE);
const { browser, context } = await launchApp();
const page = await context.newPage();
const errors = [];
page.on('console', (m) => m.type() === 'error' && !/status of 400/.test(m.text()) && errors.push(`${page.url()}: ${m.text()}`));
page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));

async function open(hash, lang) {
  await page.goto(`${BASE}/${hash}${hash.includes('?') ? '&' : '?'}lang=${lang}`);
  await page.waitForSelector(`main[data-ready="1"]`, { timeout: 15000 });
}
const rows = () => page.locator('[data-testid="history-table"] tbody tr').count();
const title = async () => ((await page.locator('[data-testid="page-title"]').textContent()) ?? '').trim();

const ph = await api(`history/prefix?p=${encodeURIComponent(PREFIX)}`);
const ah = await api(`history/asn?a=${ASN}`);
for (const lang of ['en', 'es']) {
  const d = dict[lang];
  await check(`${lang}: the history of ${PREFIX}: one row per origin and path per day, as the API says`, async () => {
    await open(`#/history?q=${encodeURIComponent(PREFIX)}`, lang);
    eq(await title(), d['history.title'].replace('{what}', PREFIX), 'title');
    const want = ph.days.reduce((n, day) => n + day.origins.reduce((m, o) => m + Math.max(o.paths.length, 1), 0), 0);
    eq(await rows(), want, 'rows');
    eq(await page.locator('[data-testid="history-timeline"] canvas, [data-testid="history-timeline"] svg').count() > 0, true, 'timeline drawn');
    const firstOrigin = ph.days[0].origins[0];
    eq(((await page.locator('[data-testid="history-table"] tbody tr').first().locator('td').first().textContent()) ?? '').trim(), `AS${firstOrigin.origin}`, 'first row origin');
    await page.screenshot({ path: join(shots, `history-prefix-${lang}.png`), fullPage: true });
  });
  await check(`${lang}: the history of AS${ASN}: one row per prefix per day, as the API says`, async () => {
    await open(`#/history?q=AS${ASN}`, lang);
    eq(await title(), d['history.title'].replace('{what}', `AS${ASN}`), 'title');
    eq(await rows(), ah.days.reduce((n, day) => n + day.prefixes.length, 0), 'rows');
    await page.screenshot({ path: join(shots, `history-asn-${lang}.png`), fullPage: true });
  });
}
await check('a malformed prefix shows the API message', async () => {
  await open('#/history?q=10.0.0.1%2F8', 'en');
  const msg = ((await page.locator('[data-testid="history-error"]').textContent()) ?? '').trim();
  eq(/10\.0\.0\.0\/8/.test(msg), true, `error "${msg}" names the masked prefix`);
});
await check('no console or page errors', async () => eq(errors.join(' | '), '', 'errors'));
await browser.close();
finish();
