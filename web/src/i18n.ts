// Every UI string comes from the dictionaries in locales/: en.json, es.json, pt.json (this app's,
// en is the reference) and every other locales/NAME.LANG.json merged over them (server-score.*,
// server-detect.*: the keys of server-made text; brief.*: the country brief). scripts/check-i18n.mjs
// fails the build when a key is missing in any language.
// The language lives in the URL (`?lang=es` in the hash query, so a link can be shared); the
// browser's storage only gives the default when a URL has none.
import en from './locales/en.json';

export type Lang = 'en' | 'es' | 'pt';
export const LANGS: Lang[] = ['en', 'es', 'pt'];
export type Key = keyof typeof en;

const FILES = import.meta.glob<Record<string, string>>('./locales/*.json', { eager: true, import: 'default' });

const OWN = /\/[a-z]{2}\.json$/;
function buildDicts(): Record<Lang, Record<string, string>> {
  const out: Record<Lang, Record<string, string>> = { en: {}, es: {}, pt: {} };
  // Other files (NAME.LANG.json) in name order, then the app's own LANG.json, whose keys win.
  const names = Object.keys(FILES).sort((a, b) => Number(OWN.test(a)) - Number(OWN.test(b)) || a.localeCompare(b));
  for (const path of names) {
    const l = /([a-z]{2})\.json$/.exec(path)?.[1];
    if (!isLang(l)) continue;
    for (const [k, v] of Object.entries(FILES[path] ?? {})) if (typeof v === 'string') out[l][k] = v;
  }
  return out;
}
const DICTS = buildDicts();
const STORAGE_KEY = 'vigia.lang';

function isLang(s: string | null | undefined): s is Lang {
  return !!s && (LANGS as string[]).includes(s);
}

/** The language the URL asks for (`#/path?lang=es`), or null. */
export function urlLang(): Lang | null {
  const qs = location.hash.split('?', 2)[1] ?? '';
  const l = new URLSearchParams(qs).get('lang');
  return isLang(l) ? l : null;
}

function storedLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    /* storage unavailable */
  }
  const nav = (navigator.language || 'en').slice(0, 2);
  return isLang(nav) ? nav : 'en';
}

let current: Lang = urlLang() ?? storedLang();

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    /* storage unavailable */
  }
  document.documentElement.lang = l;
}

/** The query parameters of `qs` other than lang, as written (no re-encoding). */
function otherParams(qs: string | undefined): string[] {
  return (qs ?? '').split('&').filter((p) => p !== '' && !/^lang(=|$)/.test(p));
}

/** `hash` (a `#/...` route) with the current language in its query. */
export function withLang(hash: string, l: Lang = current): string {
  if (!hash.startsWith('#/')) return hash;
  const [path, qs] = hash.split('?', 2);
  return `${path}?${[...otherParams(qs), `lang=${l}`].join('&')}`;
}

/** A route without its `lang` parameter (what the page shows; the tests wait on it). */
export function withoutLang(hash: string): string {
  const [path, qs] = hash.split('?', 2);
  const rest = otherParams(qs);
  return rest.length ? `${path}?${rest.join('&')}` : path;
}

function fill(s: string, vars?: Record<string, unknown>): string {
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(v === null || v === undefined ? '' : String(v));
  return s;
}

/** Translate `key`, replacing `{name}` placeholders from `vars`. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  return fill(DICTS[current][key] ?? DICTS.en[key] ?? key, vars);
}

/** Translate a key built at run time (metric ids, incident types...), with a fallback. */
export function tDyn(key: string, fallback?: string): string {
  return DICTS[current][key] ?? DICTS.en[key] ?? fallback ?? key;
}

export function hasKey(key: string): boolean {
  return key in DICTS.en;
}

const rules = new Map<string, Intl.PluralRules>();
/** The CLDR plural category of `n` in the current language ("one", "other", ...). */
export function pluralRule(n: number): string {
  let r = rules.get(current);
  if (!r) {
    r = new Intl.PluralRules(current);
    rules.set(current, r);
  }
  return r.select(n);
}

/**
 * A counted string: `base.one`, `base.other` (or any CLDR category) chosen for `n`,
 * with `{n}` the formatted number. Falls back to `base.other`, then to `base`.
 */
export function tp(base: string, n: number, vars?: Record<string, string | number>): string {
  const cat = pluralRule(n);
  const s = DICTS[current][`${base}.${cat}`] ?? DICTS[current][`${base}.other`] ?? DICTS.en[`${base}.${cat}`] ?? DICTS.en[`${base}.other`] ?? DICTS.en[base] ?? base;
  return fill(s, { n: new Intl.NumberFormat(current).format(n), ...vars });
}

/** Server-made text: `{key, args, text}` translated through the key when known, else its English `text`. */
export interface ServerText {
  key?: string;
  args?: Record<string, unknown>;
  text?: string;
}
export function tServer(x: ServerText | string | null | undefined): string {
  if (x === null || x === undefined) return '';
  if (typeof x === 'string') return x;
  const args = x.args ?? {};
  if (x.key) {
    const n = [args.count, args.n].find((v) => typeof v === 'number') as number | undefined;
    const d = DICTS[current];
    const s = (n !== undefined ? d[`${x.key}.${pluralRule(n)}`] ?? d[`${x.key}.other`] : undefined) ?? d[x.key] ?? (x.text === undefined ? DICTS.en[x.key] : undefined);
    if (s !== undefined) {
      // No digit grouping: most numbers in server text are ASNs ("AS64512"), never "AS64,512".
      const nf = new Intl.NumberFormat(current, { useGrouping: false, maximumFractionDigits: 2 });
      const shown = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'number' ? nf.format(v) : Array.isArray(v) ? v.join(', ') : v]));
      return fill(s, shown);
    }
  }
  return x.text ?? x.key ?? '';
}
