// The routing-history page (#/history?q=P or #/history?q=AS64496): what the route archive
// (`vigia serve --archive`, docs/archive.md) says of a prefix — its origins and their AS paths per
// day — or of an AS — the prefixes it originated per day — as a table, with a timeline (peers per
// origin, or prefixes per day) above it. /api/history/prefix and /api/history/asn.
import { h, put } from '../dom';
import { ApiError, get } from '../api';
import { t } from '../i18n';
import { fmtTime } from '../format';
import { go } from '../router';
import { asLink, num, section, table } from '../ui';
import { chartBox, lineChart } from '../charts';

interface PathRow {
  path: number[];
  as_set: boolean;
  peers: number;
  first: string;
  last: string;
}
interface OriginRow {
  origin: number;
  peers: number;
  path_count: number;
  first: string;
  last: string;
  paths: PathRow[];
}
interface PrefixHistory {
  prefix: string;
  days: { date: string; origins: OriginRow[] }[];
  truncated: boolean;
}
interface AsnHistory {
  asn: number;
  days: { date: string; prefixes: { prefix: string; peers: number; path_count: number; first: string; last: string }[] }[];
  truncated: boolean;
}

const mono = (s: string) => h('span', { className: 'mono' }, s);

function pathText(p: PathRow): string {
  return p.path.join(' ') + (p.as_set ? ` ${t('history.as_set')}` : '');
}

async function renderPrefix(main: HTMLElement, prefix: string, from: string, to: string, live: () => boolean): Promise<void> {
  // date: undefined keeps the snapshot picker's ?date= off: the archive is read by from/to.
  const r = await get<PrefixHistory>('history/prefix', { p: prefix, from, to, date: undefined });
  if (!live()) return;
  const dates = r.days.map((d) => d.date);
  const origins = [...new Set(r.days.flatMap((d) => d.origins.map((o) => o.origin)))].sort((a, b) => a - b);
  const chart = chartBox(t('history.timeline_prefix'), 'history-timeline');
  const rows = r.days.flatMap((d) => d.origins.flatMap((o) => (o.paths.length ? o.paths : [null]).map((p) => ({ date: d.date, o, p }))));
  put(
    main,
    r.truncated ? h('p', { className: 'muted', 'data-testid': 'history-truncated' }, t('history.truncated')) : null,
    section(t('history.timeline'), 'h-history-timeline', dates.length ? chart : h('p', { className: 'muted', 'data-testid': 'history-empty' }, t('history.empty'))),
    section(
      t('history.origins_title'),
      'h-history-origins',
      table(
        t('history.origins_caption', { prefix: r.prefix }),
        [
          { label: t('history.date'), cell: (x: (typeof rows)[number]) => x.date },
          { label: t('route.origin'), cell: (x) => asLink(x.o.origin), sort: (x) => x.o.origin },
          { label: t('history.origin_peers'), cell: (x) => num(x.o.peers, undefined, 0), numeric: true },
          { label: t('history.path'), cell: (x) => (x.p ? mono(pathText(x.p)) : '—') },
          { label: t('history.path_peers'), cell: (x) => num(x.p?.peers, undefined, 0), numeric: true },
          { label: t('incident.first_seen'), cell: (x) => fmtTime(x.p?.first ?? x.o.first) },
          { label: t('incident.last_seen'), cell: (x) => fmtTime(x.p?.last ?? x.o.last) },
        ],
        rows,
        null,
        { testid: 'history-table', empty: t('history.empty') },
      ),
    ),
  );
  if (dates.length) {
    lineChart(
      chart,
      dates,
      origins.map((a) => ({ name: `AS${a}`, data: r.days.map((d) => d.origins.find((o) => o.origin === a)?.peers ?? null) })),
      { max: null },
    );
  }
}

async function renderAsn(main: HTMLElement, asn: string, from: string, to: string, live: () => boolean): Promise<void> {
  const r = await get<AsnHistory>('history/asn', { a: asn, from, to, date: undefined });
  if (!live()) return;
  const chart = chartBox(t('history.timeline_asn'), 'history-timeline');
  const rows = r.days.flatMap((d) => d.prefixes.map((p) => ({ date: d.date, ...p })));
  put(
    main,
    r.truncated ? h('p', { className: 'muted', 'data-testid': 'history-truncated' }, t('history.truncated')) : null,
    section(t('history.timeline'), 'h-history-timeline', r.days.length ? chart : h('p', { className: 'muted', 'data-testid': 'history-empty' }, t('history.empty'))),
    section(
      t('history.prefixes_title'),
      'h-history-prefixes',
      table(
        t('history.prefixes_caption', { asn: `AS${r.asn}` }),
        [
          { label: t('history.date'), cell: (x: (typeof rows)[number]) => x.date },
          { label: t('route.prefix'), cell: (x) => h('a', { href: `#/history?q=${encodeURIComponent(x.prefix)}` }, mono(x.prefix)), sort: (x) => x.prefix },
          { label: t('history.origin_peers'), cell: (x) => num(x.peers, undefined, 0), numeric: true },
          { label: t('history.path_count'), cell: (x) => num(x.path_count, undefined, 0), numeric: true },
          { label: t('incident.first_seen'), cell: (x) => fmtTime(x.first) },
          { label: t('incident.last_seen'), cell: (x) => fmtTime(x.last) },
        ],
        rows,
        null,
        { testid: 'history-table', empty: t('history.empty') },
      ),
    ),
  );
  if (r.days.length) {
    lineChart(chart, r.days.map((d) => d.date), [{ name: t('history.prefix_count'), data: r.days.map((d) => d.prefixes.length) }], { max: null });
  }
}

export async function renderHistory(main: HTMLElement, query: URLSearchParams, live: () => boolean): Promise<void> {
  const q = (query.get('q') ?? '').trim();
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const qIn = h('input', { id: 'h-q', type: 'text', value: q, required: true, maxlength: 50, 'data-testid': 'history-q', 'aria-describedby': 'h-q-help' });
  const fromIn = h('input', { id: 'h-from', type: 'date', value: from, 'data-testid': 'history-from' });
  const toIn = h('input', { id: 'h-to', type: 'date', value: to, 'data-testid': 'history-to' });
  const form = h(
    'form',
    { className: 'inline', 'aria-label': t('history.form') },
    h('div', { className: 'field grow' }, h('label', { for: 'h-q' }, t('history.q')), qIn, h('small', { id: 'h-q-help' }, t('history.q_help'))),
    h('div', { className: 'field' }, h('label', { for: 'h-from' }, t('history.from')), fromIn),
    h('div', { className: 'field' }, h('label', { for: 'h-to' }, t('history.to')), toIn),
    h('button', { type: 'submit', 'data-testid': 'history-submit' }, t('history.submit')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const params = new URLSearchParams({ q: qIn.value.trim() });
    if (fromIn.value) params.set('from', fromIn.value);
    if (toIn.value) params.set('to', toIn.value);
    go(`#/history?${params.toString()}`);
  });
  const asn = /^(?:as)?(\d{1,10})$/i.exec(q)?.[1];
  put(main, h('h1', { 'data-testid': 'page-title' }, q ? t('history.title', { what: asn ? `AS${asn}` : q }) : t('history.title_empty')), form);
  if (!q) return;
  try {
    if (asn) await renderAsn(main, asn, from, to, live);
    else await renderPrefix(main, q, from, to, live);
  } catch (e) {
    if (!live()) return;
    const msg = e instanceof ApiError && e.status === 404 ? t('history.no_archive') : e instanceof ApiError ? e.message : String(e);
    put(main, h('p', { className: 'error', role: 'alert', 'data-testid': 'history-error' }, msg));
  }
}
