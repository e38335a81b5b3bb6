// Every UI string comes from the dictionaries in locales/ (en is the reference;
// scripts/check-i18n.mjs fails the build when a key is missing in any language).
import en from './locales/en.json';
import es from './locales/es.json';
import pt from './locales/pt.json';

export type Lang = 'en' | 'es' | 'pt';
export const LANGS: Lang[] = ['en', 'es', 'pt'];
export type Key = keyof typeof en;

const DICTS: Record<Lang, Record<string, string>> = { en, es, pt };
const STORAGE_KEY = 'vigia.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  } catch {
    /* storage unavailable */
  }
  const nav = (navigator.language || 'en').slice(0, 2);
  return (LANGS as string[]).includes(nav) ? (nav as Lang) : 'en';
}

let current: Lang = initialLang();

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

/** Translate `key`, replacing `{name}` placeholders from `vars`. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s = DICTS[current][key] ?? DICTS.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** Translate a key built at run time (metric ids, incident types...), with a fallback. */
export function tDyn(key: string, fallback?: string): string {
  return DICTS[current][key] ?? DICTS.en[key] ?? fallback ?? key;
}

export function hasKey(key: string): boolean {
  return key in DICTS.en;
}
