// The browser tests' checks (ui.test.mjs, ixp.test.mjs, brief.test.mjs): each
// check runs, prints "ok NAME (N ms)" or "FAIL NAME: first line of the error",
// and is counted; finish() prints "N passed, N failed" and exits 1 on any
// failure. Also the app tests' shared setup: web/'s packages, the locale
// dictionaries, the API client and the browser.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** web/ of this checkout, and require() from its node_modules. */
export const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
export const webRequire = createRequire(join(webDir, 'package.json'));

/** axe-core's script, to inject with page.addScriptTag. */
export function axeScript() {
  return readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8');
}

/** By language: every locales/NAME.LANG.json merged under the app's LANG.json, as src/i18n.ts does. */
export function loadDictionaries(langs) {
  const localeDir = join(webDir, 'src', 'locales');
  return Object.fromEntries(
    langs.map((l) => [
      l,
      Object.assign(
        {},
        ...readdirSync(localeDir)
          .filter((f) => f.endsWith(`.${l}.json`))
          .sort()
          .map((f) => JSON.parse(readFileSync(join(localeDir, f), 'utf8'))),
        JSON.parse(readFileSync(join(localeDir, `${l}.json`), 'utf8')),
      ),
    ]),
  );
}

/** WORKDIR/screenshots, created. */
export function screenshotDir(workdir) {
  const shots = join(workdir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  return shots;
}

/** GET BASE/api/PATH as JSON; throws on an error status. */
export function apiClient(base) {
  return async (path) => {
    const res = await fetch(`${base}/api/${path}`);
    if (!res.ok) throw new Error(`GET /api/${path}: ${res.status}`);
    return res.json();
  };
}

/** Headless Chromium and the app tests' context (1280x900, en-US). */
export async function launchApp() {
  const { chromium } = webRequire('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  // bypassCSP: axe-core is injected as an inline script; the app itself runs under the server's CSP.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', bypassCSP: true });
  return { browser, context };
}

let passed = 0;
let failed = 0;

export async function check(name, fn) {
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

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function eq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
}

export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
