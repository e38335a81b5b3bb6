import { h, put } from '../dom';
import { ApiError, get, type RankingEntity, type SearchResult } from '../api';
import { t, tDyn } from '../i18n';
import { countryName } from '../format';
import { go } from '../router';
import { section } from '../ui';

async function search(q: string, limit = 50): Promise<SearchResult[]> {
  try {
    return (await get<{ results: SearchResult[] }>('search', { q, limit })).results;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
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
  return `#/${r.kind}/${encodeURIComponent(String(r.id))}`;
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
  const exact = asn ? results.find((r) => r.kind === 'as' && String(r.id) === asn[1]) : results.find((r) => r.name.toLowerCase() === q.toLowerCase());
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
                h('a', { href: href(r), 'data-testid': `result-${r.kind}-${r.id}` }, r.kind === 'as' ? `AS${r.id} · ${r.name}` : r.kind === 'country' ? countryName(String(r.id)) : r.name),
                ' ',
                h('span', { className: 'muted' }, tDyn(`kind.${r.kind}`, r.kind), r.country ? ` · ${countryName(r.country)}` : ''),
              ),
            ),
          )
        : h('p', { 'data-testid': 'search-empty' }, t('search.none')),
    ),
  );
}
