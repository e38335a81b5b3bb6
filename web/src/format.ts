import { lang, t, tDyn, tp, type Key } from './i18n';
import { h } from './dom';
import en from './locales/en.json';

export function fmtNum(v: number | null | undefined, maxFrac = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return t('common.na');
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: maxFrac }).format(v);
}

export function fmtPct(part: number, whole: number): string {
  if (!whole) return t('common.na');
  return new Intl.NumberFormat(lang(), { style: 'percent', maximumFractionDigits: 1 }).format(part / whole);
}

export function fmtTime(iso: string | number | undefined): string {
  if (iso === undefined || iso === null || iso === '') return t('common.na');
  const d = typeof iso === 'number' ? new Date(iso * 1000) : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d) + ' UTC';
}

export function fmtDate(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

let regionNames: Intl.DisplayNames | null = null;
let regionNamesLang = '';
/** A country's name in the current language (the store only has its ISO code). */
export function countryName(code: string): string {
  if (!code) return t('common.na');
  if (regionNamesLang !== lang()) {
    try {
      regionNames = new Intl.DisplayNames([lang()], { type: 'region' });
    } catch {
      regionNames = null;
    }
    regionNamesLang = lang();
  }
  try {
    return regionNames?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export const BANDS = ['ready', 'aspiring', 'lagging', 'no_data'] as const;
/** The band counts a score set has: BANDS, plus "incomplete" when the server counts it. */
export function bandsOf(scores: Record<string, { incomplete?: number } | undefined>): string[] {
  const withIncomplete = Object.values(scores).some((s) => typeof s?.incomplete === 'number');
  return withIncomplete ? ['ready', 'aspiring', 'lagging', 'incomplete', 'no_data'] : [...BANDS];
}
export const ACTIONS = ['action1', 'action2', 'action3', 'action4', 'overall'] as const;
export const BAND_COLORS: Record<string, string> = {
  ready: '#1a7f37',
  aspiring: '#b35900',
  lagging: '#c62828',
  no_data: '#8a8f98',
};

export function bandKey(band: string): string {
  return band ? band : 'no_data';
}

export function bandLabel(band: string): string {
  return tDyn(`band.${bandKey(band)}`);
}

/** Bands that say the score is not a full measure: shown as such, never with a band's colour. */
export const PARTIAL_BANDS = ['incomplete', 'low_coverage'];

export function bandChip(band: string, testid?: string): HTMLElement {
  const b = bandKey(band);
  return h('span', { className: `band band-${b}`, 'data-testid': testid, 'data-band': b, title: PARTIAL_BANDS.includes(b) ? tDyn(`band.${b}.help`, '') || null : null }, bandLabel(band));
}

/** The coverage of a score entry: "from 8 of 135 networks" (aggregates) or "3 of 4 actions measured" (an AS). */
export function coverageText(s: { measured?: number; of?: number } | undefined, kind: string): string {
  if (!s || typeof s.measured !== 'number' || typeof s.of !== 'number') return '';
  return tp(kind === 'as' ? 'coverage.actions_measured' : 'coverage.from_networks', s.of, { measured: fmtNum(s.measured, 0) });
}

export function actionLabel(a: string): string {
  return tDyn(`action.${a}`, a);
}

export function metricLabel(id: string, fallback?: string): string {
  return tDyn(`metric.${id}`, fallback ?? id);
}

export function regionLabel(id: string, fallback?: string): string {
  return id ? tDyn(`region.${id}`, fallback ?? id) : t('common.na');
}

export function incidentTypeLabel(type: string): string {
  return tDyn(`itype.${type}`, type);
}

// The server's fix texts are English (the incident-type registry,
// src/detect/incident_type.cc, and the score's own fixes); the English
// dictionary holds each under its key fix.<code>, so it maps them back.
// Unknown texts are shown as sent.
const FIX_KEYS: Record<string, string> = Object.fromEntries(
  Object.entries(en as Record<string, string>)
    .filter(([k]) => k.startsWith('fix.'))
    .map(([k, v]) => [v, k]),
);

export function fixLabel(what: string): string {
  const k = FIX_KEYS[what];
  return k ? tDyn(k, what) : what;
}

export function tk(key: string): Key {
  return key as Key;
}
