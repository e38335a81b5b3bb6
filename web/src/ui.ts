// Shared building blocks: tables with a CSV link, sections, numbers with test ids.
import { h } from './dom';
import { t } from './i18n';
import { fmtNum } from './format';

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
