// Shared building blocks: tables with a CSV link, sections, numbers with test ids.
import { h } from './dom';
import { t } from './i18n';
import { fmtNum, fmtPct } from './format';
import type { Coverage } from './api';

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
}

/** A table with a caption, column headers and an optional "Download CSV" link under it. */
export function table<R>(caption: string, cols: Column<R>[], rows: R[], csv: string | null, opts: { testid?: string; empty?: string } = {}): HTMLElement {
  const tbl = h(
    'table',
    { 'data-testid': opts.testid },
    h('caption', null, caption),
    h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', className: c.numeric ? 'n' : null }, c.label)))),
    h(
      'tbody',
      null,
      rows.length
        ? rows.map((r) => h('tr', null, cols.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c.cell(r)) : h('td', { className: c.numeric ? 'n' : null }, c.cell(r))))))
        : h('tr', null, h('td', { colspan: cols.length }, opts.empty ?? t('common.none'))),
    ),
  );
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
  const rows: { label: string; v: number; of: number; id: string }[] = [];
  if (cov.rpki) {
    rows.push({ label: t('coverage.rpki_routes'), v: cov.rpki.routes, of: 0, id: 'rpki-routes' });
    rows.push({ label: t('coverage.rpki_valid'), v: cov.rpki.valid, of: cov.rpki.routes, id: 'rpki-valid' });
    rows.push({ label: t('coverage.rpki_invalid'), v: cov.rpki.invalid, of: cov.rpki.routes, id: 'rpki-invalid' });
    rows.push({ label: t('coverage.rpki_not_found'), v: cov.rpki.not_found, of: cov.rpki.routes, id: 'rpki-not_found' });
  }
  if (cov.irr) {
    rows.push({ label: t('coverage.irr_routes'), v: cov.irr.routes, of: 0, id: 'irr-routes' });
    rows.push({ label: t('coverage.irr_registered'), v: cov.irr.registered, of: cov.irr.routes, id: 'irr-registered' });
  }
  const bar = (v: number, of: number) =>
    of ? h('span', { className: 'meter', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.min(100, (100 * v) / of).toFixed(1)}%` })) : null;
  return table(
    t('coverage.caption'),
    [
      { label: t('common.measure'), cell: (r: (typeof rows)[number]) => r.label },
      { label: t('common.routes'), cell: (r) => num(r.v, r.id, 0), numeric: true },
      { label: t('common.share'), cell: (r) => h('span', null, r.of ? fmtPct(r.v, r.of) : '', bar(r.v, r.of)), numeric: true },
    ],
    rows,
    csv,
    { testid: 'coverage-table' },
  );
}
