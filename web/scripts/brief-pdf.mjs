// Prints the country brief (#/brief/country/CC, web/src/pages/brief.ts) to a PDF with Debian's
// headless Chromium driven by playwright-core; `vigia brief` (src/cli/brief.cc) runs it.
//
//   node brief-pdf.mjs --country CC --lang en|es|pt --out FILE.pdf [--date YYYY-MM-DD]
//        (--url http://HOST:PORT | --vigia BIN --db sqlite:PATH [--web DIST])
//        [--chromium PATH] [--timeout SECONDS] [--png FILE.png]
//
// With --vigia it starts `vigia serve` on a free loopback port (127.0.0.1:0) and stops it at the
// end; with --url it uses a running server. It waits for the page's ready marker
// ([data-brief-ready="1"]), fails when the page shows an error, logs a script error, or when the
// summary does not fit on one A4 page, then prints with the page's own @page size (A4).
// Why Playwright and not `chromium --print-to-pdf --virtual-time-budget`: the page fetches the API
// and the map; a time budget guesses when it is done, a wait on the ready marker knows, and a
// timeout or an error page becomes a clear failure instead of a PDF of a half-drawn page.
// Exit: 0 written; 2 usage; 3 Chromium, node_modules or the web app missing; 1 any other failure.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function die(code, msg) {
  console.error(`brief-pdf: ${msg}`);
  process.exit(code);
}

const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (!a.startsWith('--') || i + 1 >= argv.length) die(2, `bad argument '${a}' (see the header of ${fileURLToPath(import.meta.url)})`);
  args[a.slice(2)] = argv[++i];
}
const known = ['country', 'lang', 'out', 'date', 'url', 'vigia', 'db', 'web', 'chromium', 'timeout', 'png'];
for (const k of Object.keys(args)) if (!known.includes(k)) die(2, `unknown option --${k}`);
const country = (args.country ?? '').toUpperCase();
const lang = args.lang ?? 'en';
if (!/^[A-Z]{2}$/.test(country)) die(2, '--country must be a two-letter ISO 3166 code');
if (!['en', 'es', 'pt'].includes(lang)) die(2, '--lang must be en, es or pt');
if (!args.out) die(2, '--out FILE.pdf is required');
if (args.date && !/^\d{4}-\d{2}-\d{2}$/.test(args.date)) die(2, '--date must be YYYY-MM-DD');
if (!args.url && !(args.vigia && args.db)) die(2, 'give --url of a running server, or --vigia and --db');
const timeoutMs = Math.max(1, Number(args.timeout ?? 60)) * 1000;
const chromiumPath = args.chromium ?? process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) die(3, `Chromium is missing at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);

let chromium;
try {
  ({ chromium } = createRequire(join(webDir, 'package.json'))('playwright-core'));
} catch {
  die(3, `playwright-core is missing in ${join(webDir, 'node_modules')} (cd web && npm ci)`);
}

let server = null;
function stopServer() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
}
process.on('exit', stopServer);

/** Starts `vigia serve` on a free loopback port; resolves to its base URL. */
function startServer() {
  const web = args.web ?? join(webDir, 'dist');
  if (!existsSync(join(web, 'index.html'))) die(3, `the web app is not built: ${web}/index.html is missing (cd web && npm run build)`);
  return new Promise((ok, fail) => {
    server = spawn(args.vigia, ['serve', '--db', args.db, '--listen', '127.0.0.1:0', '--web', web, '--no-access-log'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`vigia serve did not start within ${timeoutMs / 1000} s: ${err.trim()}`)), timeoutMs);
    server.stdout.on('data', (d) => {
      out += d;
      const m = /vigia: serving (http:\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    server.stderr.on('data', (d) => {
      err += d;
    });
    server.on('error', (e) => {
      clearTimeout(timer);
      fail(new Error(`cannot run ${args.vigia}: ${e.message}`));
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vigia serve exited with status ${code}: ${err.trim()}`));
    });
  });
}

let browser = null;
try {
  const base = (args.url ?? (await startServer())).replace(/\/$/, '');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const locale = { en: 'en-US', es: 'es-419', pt: 'pt-BR' }[lang];
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 }, locale });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const q = new URLSearchParams({ lang });
  if (args.date) q.set('date', args.date);
  const route = `#/brief/country/${country}?${q}`;
  await page.goto(`${base}/${route}`);
  // Ready: the brief's marker; failed: the app's error box once the route has rendered.
  const done = await page.waitForSelector('[data-brief-ready="1"], main[data-ready="1"] .error', { timeout: timeoutMs });
  if (!(await done.getAttribute('data-brief-ready'))) throw new Error(`the page shows an error for ${route}: ${(await done.textContent())?.trim()}`);
  if (errors.length) throw new Error(`the page logged errors: ${errors.join('; ')}`);
  // The screenshot first: it shows what went wrong when the checks below fail.
  if (args.png) {
    mkdirSync(dirname(resolve(args.png)), { recursive: true });
    await page.screenshot({ path: resolve(args.png), fullPage: true });
  }
  // The summary must fit on one A4 page (297 mm at 96 px/in); otherwise the PDF would spill.
  const h1 = await page.evaluate(() => document.querySelector('[data-testid="brief-page-1"]').getBoundingClientRect().height);
  const a4 = (297 / 25.4) * 96;
  if (h1 > a4 + 1) throw new Error(`the summary is ${Math.round(h1)} px tall, more than one A4 page (${Math.round(a4)} px)`);
  const out = resolve(args.out);
  mkdirSync(dirname(out), { recursive: true });
  await page.pdf({ path: out, preferCSSPageSize: true, printBackground: true });
  if (!existsSync(out) || statSync(out).size === 0) throw new Error(`${out} was not written`);
  console.log(`brief-pdf: wrote ${out} (${country}, ${lang})`);
  await browser.close();
  stopServer();
  process.exit(0);
} catch (e) {
  if (browser) await browser.close().catch(() => {});
  stopServer();
  die(1, e instanceof Error ? e.message.split('\n')[0] : String(e));
}
