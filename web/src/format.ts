import { lang, t, tDyn, type Key } from './i18n';
import { h } from './dom';

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

export function bandChip(band: string, testid?: string): HTMLElement {
  const b = bandKey(band);
  return h('span', { className: `band band-${b}`, 'data-testid': testid, 'data-band': b }, bandLabel(band));
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

// The server's fix texts (English) mapped to dictionary keys; unknown texts are shown as sent.
const FIX_KEYS: Record<string, string> = {
  'register the network in PeeringDB with a NOC or abuse contact': 'fix.pdb_register',
  'create ROAs for these routes': 'fix.create_roas',
  'register route objects for these routes in an IRR': 'fix.irr_register',
  'publish a NOC or abuse contact (e-mail or phone) in PeeringDB': 'fix.pdb_contact',
  'deploy source address validation (BCP 38, BCP 84): spoofed packets left the network': 'fix.sav',
  'stop announcing space of other networks, or register the authorisation (ROA, route object)': 'fix.stop_hijack',
  'filter customer announcements of space they do not hold (IRR and RPKI based filters)': 'fix.filter_customers',
  'stop originating bogon prefixes': 'fix.stop_bogon_prefix',
  'stop passing on paths with bogon ASNs': 'fix.stop_bogon_asn',
  'correct the ROAs (origin or maxLength) behind these RPKI-invalid routes, or withdraw them': 'fix.correct_roas',
  'stop the route leaks: export provider and peer routes only to customers (RFC 7908)': 'fix.stop_leaks',
  'filter bogon prefixes from customers': 'fix.filter_bogon_prefix',
  'filter customer paths with bogon ASNs': 'fix.filter_bogon_asn',
  'filter route leaks from customers: prefix filters or ASPA on customer sessions': 'fix.filter_leaks',
};

export function fixLabel(what: string): string {
  const k = FIX_KEYS[what];
  return k ? tDyn(k, what) : what;
}

export function tk(key: string): Key {
  return key as Key;
}
