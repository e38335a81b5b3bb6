// Shared building blocks: tables with a CSV link, sections, numbers with test ids.
import { h } from './dom';
import { t } from './i18n';
import { fmtNum, fmtPct } from './format';
import type { Coverage, Score } from './api';

export function num(v: number | null | undefined, testid?: string, maxFrac = 2): HTMLElement {
  return h('span', { className: 'num', 'data-testid': testid, 'data-value': v === null || v === undefined ? '' : String(v) }, fmtNum(v, maxFrac));
}

export function csvLink(href: string | null, testid?: string): HTMLElement | null {
  if (!href) return null;
  return h('a', { className: 'csv', href, download: '', 'data-testid': testid }, t('common.download_csv'));
}

export interface Column<R> {
  label: string;
  cell: (r: R) => Node | string;
  numeric?: boolean;
  /** The value the column sorts by (default: the number shown, else the cell's text). */
  sort?: (r: R) => number | string | null | undefined;
  /** false: a column that makes no sense to sort. */
  sortable?: boolean;
}

/** The key a cell sorts by: data-sort, else the number of its .num, else its text. */
function sortKey(cell: Element): string | number | null {
  const ds = (cell as HTMLElement).dataset.sort;
  if (ds !== undefined) return ds === '' ? null : Number.isNaN(Number(ds)) ? ds : Number(ds);
  const n = cell.querySelector<HTMLElement>('.num[data-value]');
  if (n) return n.dataset.value === '' ? null : Number(n.dataset.value);
  const txt = (cell.textContent ?? '').trim();
  return txt === '' || txt === t('common.na') ? null : txt;
}

/**
 * Makes a table sortable by its column headers: each header is a button (keyboard: Tab, Enter or
 * Space), the sorted column carries aria-sort, and a live region says what changed. Sorting is
 * stable and puts missing values last in both directions.
 */
export function makeSortable(tbl: HTMLTableElement): void {
  const heads = [...tbl.querySelectorAll<HTMLTableCellElement>('thead th')];
  const body = tbl.tBodies[0];
  if (!body || body.rows.length < 2) return;
  const status = h('span', { className: 'sr-only', role: 'status', 'aria-live': 'polite' });
  tbl.caption?.appendChild(status);
  heads.forEach((th, col) => {
    if (th.dataset.nosort !== undefined) return;
    const label = th.textContent ?? '';
    const btn = h('button', { type: 'button', className: 'sort', 'data-testid': `sort-${col}` }, label, h('span', { className: 'sort-icon', 'aria-hidden': 'true' }));
    th.replaceChildren(btn);
    btn.addEventListener('click', () => {
      const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      heads.forEach((x) => x.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', dir);
      const rows = [...body.rows].map((r, i) => ({ r, i, k: sortKey(r.cells[col]) }));
      const sign = dir === 'ascending' ? 1 : -1;
      const collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: 'base' });
      rows.sort((a, b) => {
        if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
        const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : collator.compare(String(a.k), String(b.k));
        return c ? sign * c : a.i - b.i;
      });
      body.append(...rows.map((x) => x.r));
      status.textContent = t(dir === 'ascending' ? 'common.sorted_asc' : 'common.sorted_desc', { col: label });
    });
  });
}

/** A table with a caption, sortable column headers and an optional "Download CSV" link under it. */
export function table<R>(caption: string, cols: Column<R>[], rows: R[], csv: string | null, opts: { testid?: string; empty?: string; sortable?: boolean } = {}): HTMLElement {
  const cell = (c: Column<R>, r: R, i: number) => {
    const el = i === 0 ? h('th', { scope: 'row' }, c.cell(r)) : h('td', { className: c.numeric ? 'n' : null }, c.cell(r));
    if (c.sort) {
      const k = c.sort(r);
      el.dataset.sort = k === null || k === undefined ? '' : String(k);
    }
    return el;
  };
  const tbl = h(
    'table',
    { 'data-testid': opts.testid },
    h('caption', null, caption),
    h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', className: c.numeric ? 'n' : null, 'data-nosort': c.sortable === false ? '' : null }, c.label)))),
    h(
      'tbody',
      null,
      rows.length
        ? rows.map((r) => h('tr', null, cols.map((c, i) => cell(c, r, i))))
        : h('tr', null, h('td', { colspan: cols.length }, opts.empty ?? t('common.none'))),
    ),
  );
  if (opts.sortable !== false) makeSortable(tbl);
  return h('div', { className: 'table-wrap' }, h('div', { className: 'scroll', tabindex: 0, role: 'region', 'aria-label': caption }, tbl), csvLink(csv));
}

export function section(title: string, id: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { 'aria-labelledby': id, className: 'card' }, h('h2', { id }, title), ...children);
}

export function loading(): HTMLElement {
  return h('p', { className: 'loading', role: 'status' }, t('common.loading'));
}

export function errorBox(e: unknown): HTMLElement {
  const status = (e as { status?: number }).status;
  const msg = status === 404 ? t('error.not_found') : t('error.generic', { msg: e instanceof Error ? e.message : String(e) });
  return h('div', { className: 'error', role: 'alert' }, msg);
}

export function asLink(asn: number | string, name?: string): HTMLElement {
  return h('a', { href: `#/as/${asn}` }, `AS${asn}`, name ? ` ${name}` : '');
}

/**
 * RPKI/IRR coverage of originated routes as a table (overview and aggregate reports);
 * null when the server sent no coverage (older stores).
 */
export function coverageTable(cov: Coverage | undefined, csv: string | null): HTMLElement | null {
  if (!cov?.rpki && !cov?.irr) return null;
  // With no VRPs (or no IRR) in the snapshot the shares are unknown, not 0 % (method decision 3).
  const rows: { label: string; v: number | null; of: number; id: string; none?: boolean }[] = [];
  if (cov.rpki) {
    const none = !!cov.rpki.no_data;
    rows.push({ label: t('coverage.rpki_routes'), v: cov.rpki.routes, of: 0, id: 'rpki-routes' });
    rows.push({ label: t('coverage.rpki_valid'), v: none ? null : cov.rpki.valid, of: cov.rpki.routes, id: 'rpki-valid', none });
    rows.push({ label: t('coverage.rpki_invalid'), v: none ? null : cov.rpki.invalid, of: cov.rpki.routes, id: 'rpki-invalid', none });
    rows.push({ label: t('coverage.rpki_not_found'), v: none ? null : cov.rpki.not_found, of: cov.rpki.routes, id: 'rpki-not_found', none });
  }
  if (cov.irr) {
    const none = !!cov.irr.no_data;
    rows.push({ label: t('coverage.irr_routes'), v: cov.irr.routes, of: 0, id: 'irr-routes' });
    rows.push({ label: t('coverage.irr_registered'), v: none ? null : cov.irr.registered, of: cov.irr.routes, id: 'irr-registered', none });
  }
  const bar = (v: number | null, of: number) =>
    of && v !== null ? h('span', { className: 'meter', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.min(100, (100 * v) / of).toFixed(1)}%` })) : null;
  return table(
    t('coverage.caption'),
    [
      { label: t('common.measure'), cell: (r: (typeof rows)[number]) => r.label },
      { label: t('common.routes'), cell: (r) => num(r.v, r.id, 0), numeric: true },
      { label: t('common.share'), cell: (r) => (r.none ? h('span', { className: 'muted', 'data-testid': `${r.id}-no-data` }, t('coverage.no_data')) : h('span', null, r.of && r.v !== null ? fmtPct(r.v, r.of) : '', bar(r.v, r.of))), numeric: true, sort: (r) => (r.of && r.v !== null ? r.v / r.of : null) },
    ],
    rows,
    csv,
    { testid: 'coverage-table' },
  );
}

/** A score, or its interval "lo to hi" when missing data leave it open (method decision 1). */
export function scoreCell(sc: Score | undefined, testid?: string): HTMLElement {
  const lo = sc?.score;
  const hi = sc?.score_max;
  if (hi === null || hi === undefined || lo === null || lo === undefined || Math.abs(hi - lo) < 1e-9) return num(lo, testid);
  return h('span', { className: 'interval' }, num(lo, testid), h('span', { className: 'muted' }, ' – '), num(hi, testid ? `${testid}-max` : undefined));
}

