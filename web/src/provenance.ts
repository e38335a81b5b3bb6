// The top of every page: which snapshot it shows (a picker over /api/snapshots, kept in the URL as
// ?date=), whether its data are simulated, the date and age of each input, and a warning when the
// inputs are far apart in time (the snapshot's "provenance", method decision 6).
// The snapshot list is fetched once per page load; single-threaded like the rest of the app.
import { h } from './dom';
import { get, pageDate, type SnapshotInfo } from './api';
import { t, tDyn, tp, tServer, withLang } from './i18n';
import { fmtDate, fmtNum } from './format';

let cache: Promise<SnapshotInfo[]> | null = null;

/** Every snapshot, newest first (empty on an older server error). */
export function snapshots(): Promise<SnapshotInfo[]> {
  if (!cache) {
    cache = get<SnapshotInfo[] | { snapshots: SnapshotInfo[] }>('snapshots')
      .then((x) => (Array.isArray(x) ? x : x.snapshots ?? []))
      .then((xs) => [...xs].sort((a, b) => b.date.localeCompare(a.date)))
      .catch(() => []);
  }
  return cache;
}

/** The snapshot the page shows: the URL's ?date= (the newest on or before it), else the newest. */
export async function shownSnapshot(): Promise<SnapshotInfo | null> {
  const all = await snapshots();
  const d = pageDate();
  return (d ? all.find((s) => s.date <= d) : all[0]) ?? all[0] ?? null;
}

/** The current route with ?date= set (or removed for the newest). */
function routeWithDate(date: string, newest: boolean): string {
  const [path, qs] = (location.hash || '#/').split('?', 2);
  const q = new URLSearchParams(qs ?? '');
  if (newest) q.delete('date');
  else q.set('date', date);
  const s = q.toString();
  return withLang(s ? `${path}?${s}` : path);
}

function picker(all: SnapshotInfo[], shown: SnapshotInfo | null): HTMLElement | null {
  if (all.length < 1) return null;
  const sel = h(
    'select',
    { id: 'snap-picker', 'data-testid': 'snapshot-picker' },
    all.map((s, i) => h('option', { value: s.date, selected: s.date === shown?.date }, fmtDate(s.date), i === 0 ? ` (${t('prov.newest')})` : '')),
  );
  sel.addEventListener('change', () => {
    location.hash = routeWithDate(sel.value, sel.value === all[0].date);
  });
  return h('div', { className: 'field inline-field' }, h('label', { for: 'snap-picker' }, t('prov.snapshot')), sel);
}

/** The provenance banner and snapshot picker (on every page). */
export async function provenanceBlock(): Promise<HTMLElement> {
  const all = await snapshots();
  const shown = await shownSnapshot();
  const p = shown?.provenance;
  const box = h('div', { className: 'provenance noprint-picker', 'data-testid': 'provenance' });
  const pick = picker(all, shown);
  if (pick) box.appendChild(pick);
  if (!shown) return box;
  if (!p) {
    box.appendChild(h('p', { className: 'banner', 'data-testid': 'provenance-missing' }, t('prov.missing', { date: fmtDate(shown.date) })));
    return box;
  }
  if (p.simulated) box.appendChild(h('p', { className: 'banner sim', role: 'note', 'data-testid': 'banner-simulated' }, h('strong', null, t('prov.simulated_title')), ' ', t('prov.simulated')));
  const inputs = p.inputs ?? [];
  const observed = p.observed ?? shown.date;
  const line = (i: (typeof inputs)[number]) =>
    h(
      'li',
      { 'data-testid': `prov-input-${i.input}`, 'data-age': i.age_days ?? '' },
      h('strong', null, tDyn(`prov.input.${i.input}`, i.input)),
      ': ',
      i.source || t('common.na'),
      ' · ',
      i.date ? fmtDate(i.date) : t('prov.no_date'),
      // A negative age: the input is newer than the routes it is compared with.
      i.age_days !== null && i.age_days !== undefined ? ` · ${i.age_days < 0 ? tp('prov.newer_days', -i.age_days) : tp('prov.age_days', i.age_days)}` : '',
    );
  const far = (p.spread_days ?? 0) > 30;
  // Server text through its key when the server sent one (warning_keys), else as sent.
  const warnings = (p.warning_keys?.length ? p.warning_keys.map((k, i) => ({ ...k, text: typeof p.warnings?.[i] === 'string' ? (p.warnings[i] as string) : undefined })) : p.warnings ?? []).map((w) => tServer(w as Parameters<typeof tServer>[0]));
  box.appendChild(
    h(
      'div',
      { className: `banner${far || warnings.length ? ' warn' : ''}`, 'data-testid': 'banner-provenance', 'data-spread': p.spread_days ?? '' },
      h('p', { style: 'margin:0' }, t('prov.observed', { date: fmtDate(observed) }), p.spread_days !== null && p.spread_days !== undefined ? ` · ${tp('prov.spread', p.spread_days)}` : ''),
      far || warnings.length
        ? h('ul', { 'data-testid': 'provenance-warnings' }, far && !warnings.length ? h('li', null, t('prov.far_apart', { n: fmtNum(p.spread_days ?? 0, 0) })) : null, warnings.map((w) => h('li', null, w)))
        : null,
      inputs.length ? h('details', null, h('summary', null, t('prov.inputs')), h('ul', { 'data-testid': 'provenance-inputs' }, inputs.map(line))) : null,
    ),
  );
  return box;
}
