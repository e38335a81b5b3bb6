import { h, put } from '../dom';
import { ApiError, get, type RankingEntity, type SearchResult } from '../api';
import { t, tDyn } from '../i18n';
import { countryName } from '../format';
import { NUMERIC_TO_ALPHA2 } from '../iso-numeric';
import { go } from '../router';
import { section } from '../ui';

async function search(q: string, limit = 50): Promise<SearchResult[]> {
  const local = countryMatches(q);
  const merge = (server: SearchResult[]) => {
    const seen = new Set(local.map((r) => `${r.kind}:${r.id}`));
    const out = [...server.filter((r) => r.kind === 'prefix'), ...local, ...server.filter((r) => r.kind !== 'prefix' && !seen.has(`${r.kind}:${r.id}`))];
    // An address or prefix the server did not resolve: still offer the route page.
    if (looksLikePrefix(q) && !out.some((r) => r.kind === 'prefix')) out.unshift({ kind: 'prefix', id: q, origins: [] });
    return out.slice(0, limit);
  };
  try {
    return merge((await get<{ results: SearchResult[] }>('search', { q, limit })).results);
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
    if (looksLikePrefix(q) || local.length) return merge([]);
  }
  // Older servers without /api/search: match the AS ranking here.
  const needle = q.toLowerCase().replace(/^as/, '');
  const out: SearchResult[] = [];
  for (let offset = 0; offset < 20000 && out.length < limit; offset += 1000) {
    const page = await get<{ entities: RankingEntity[] }>('ranking', { kind: 'as', limit: 1000, offset });
    for (const e of page.entities) if (e.id === needle || e.name.toLowerCase().includes(q.toLowerCase())) out.push({ kind: 'as', id: e.id, name: e.name, country: e.country });
    if (page.entities.length < 1000) break;
  }
  return out.slice(0, limit);
}

function href(r: SearchResult): string {
  if (r.kind === 'prefix') return `#/route?prefix=${encodeURIComponent(String(r.id))}${r.origins?.length === 1 ? `&origin=${r.origins[0]}` : ''}`;
  return `#/${r.kind}/${encodeURIComponent(String(r.id))}`;
}

/** Lower case without accents: "México" and "mexico" match. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

let countryIndex: { code: string; names: string[] }[] | null = null;
/** Every ISO country with its names in en, es and pt (Intl.DisplayNames), folded. */
function countries(): { code: string; names: string[] }[] {
  if (countryIndex) return countryIndex;
  const dn = (['en', 'es', 'pt'] as const).map((l) => new Intl.DisplayNames([l], { type: 'region' }));
  const codes = [...new Set(Object.values(NUMERIC_TO_ALPHA2))].filter((c) => c !== 'AQ');
  countryIndex = codes.map((code) => ({ code, names: [...new Set(dn.map((d) => fold(d.of(code) ?? code)))] }));
  return countryIndex;
}

/** Countries whose name (en/es/pt, accent-insensitive) starts with or contains the query. */
export function countryMatches(q: string): SearchResult[] {
  const f = fold(q);
  if (f.length < 3 && !/^[a-z]{2}$/.test(f)) return [];
  const exact: SearchResult[] = [];
  const starts: SearchResult[] = [];
  const contains: SearchResult[] = [];
  for (const c of countries()) {
    const r: SearchResult = { kind: 'country', id: c.code, name: countryName(c.code), country: '' };
    if (c.names.includes(f) || c.code.toLowerCase() === f) exact.push(r);
    else if (f.length >= 3 && c.names.some((n) => n.startsWith(f))) starts.push(r);
    else if (f.length >= 4 && c.names.some((n) => n.includes(f))) contains.push(r);
  }
  return [...exact, ...starts, ...contains];
}

const PREFIX_RE = /^[0-9a-f:.]+(\/\d{1,3})?$/i;
function looksLikePrefix(q: string): boolean {
  return PREFIX_RE.test(q) && (q.includes('.') || q.includes(':')) && !/^\d+$/.test(q);
}

/** From the header's search box: straight to the page on an exact ASN or a single hit, else the results list. */
export async function runSearch(q: string): Promise<void> {
  const asn = /^(?:as)?\s*(\d+)$/i.exec(q);
  let results: SearchResult[] = [];
  try {
    results = await search(q, 20);
  } catch {
    /* show the results page, which reports the error */
  }
  const exact = asn
    ? results.find((r) => r.kind === 'as' && String(r.id) === asn[1])
    : results.find((r) => r.kind === 'prefix') ?? results.find((r) => fold(r.name ?? '') === fold(q)) ?? (results[0]?.kind === 'country' && countryMatches(q).length === 1 ? results[0] : undefined);
  if (exact) go(href(exact));
  else if (results.length === 1) go(href(results[0]));
  else go(`#/search?q=${encodeURIComponent(q)}`);
}

export async function renderSearch(main: HTMLElement, q: string, live: () => boolean): Promise<void> {
  const results = q ? await search(q) : [];
  if (!live()) return;
  put(main, 
    h('h1', { 'data-testid': 'page-title' }, t('search.results_title', { q })),
    section(
      t('search.results'),
      'h-results',
      results.length
        ? h(
            'ul',
            { className: 'results', 'data-testid': 'search-results' },
            results.map((r) =>
              h(
                'li',
                null,
                h('a', { href: href(r), 'data-testid': `result-${r.kind}-${r.id}` }, r.kind === 'as' ? `AS${r.id} · ${r.name ?? ''}` : r.kind === 'country' ? countryName(String(r.id)) : r.kind === 'prefix' ? String(r.id) : r.name ?? String(r.id)),
                ' ',
                h('span', { className: 'muted' }, r.kind === 'prefix' ? t('search.kind_prefix') : tDyn(`kind.${r.kind}`, r.kind), r.country ? ` · ${countryName(r.country)}` : '', r.origins?.length ? ` · ${t('search.origins', { list: r.origins.map((o) => `AS${o}`).join(', ') })}` : ''),
              ),
            ),
          )
        : h('p', { 'data-testid': 'search-empty' }, t('search.none')),
    ),
  );
}
