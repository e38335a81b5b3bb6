import './style.css';
import { h, clear } from './dom';
import { LANGS, lang, setLang, t, tDyn, urlLang, withLang, withoutLang, type Lang } from './i18n';
import { currentRoute, go } from './router';
import { disposeCharts } from './charts';
import { renderOverview } from './pages/overview';
import { renderEntity } from './pages/entity';
import { renderIncident } from './pages/incident';
import { renderCompare } from './pages/compare';
import { renderSearch, runSearch } from './pages/search';
import { renderIncidents } from './pages/incidents';
import { renderRoute } from './pages/route';
import { renderHistory } from './pages/history';
import { renderBrief } from './pages/brief';
import { errorBox } from './ui';
import { provenanceBlock } from './provenance';

const app = document.getElementById('app')!;
let main: HTMLElement;
let searchInput: HTMLInputElement;

function header(): HTMLElement {
  searchInput = h('input', { id: 'search', type: 'search', name: 'q', required: true, autocomplete: 'off', 'data-testid': 'search-input', placeholder: t('search.placeholder') });
  const form = h(
    'form',
    { role: 'search', className: 'search', 'aria-label': t('search.label') },
    h('label', { for: 'search' }, t('search.label')),
    searchInput,
    h('button', { type: 'submit', 'data-testid': 'search-submit' }, t('search.button')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = searchInput.value.trim();
    if (q) void runSearch(q);
  });
  const select = h('select', { id: 'lang', 'data-testid': 'lang-select' }, LANGS.map((l) => h('option', { value: l, selected: l === lang() }, tDyn(`lang.${l}`))));
  // The language is part of the URL: changing it changes the hash (and so the shareable link).
  select.addEventListener('change', () => {
    location.hash = withLang(location.hash || '#/', select.value as Lang);
  });
  const nav = h(
    'nav',
    { 'aria-label': t('nav.label'), className: 'mainnav' },
    h(
      'ul',
      null,
      h('li', null, h('a', { href: '#/', 'data-testid': 'nav-overview' }, t('nav.overview'))),
      h('li', null, h('a', { href: '#/region/lacnic', 'data-testid': 'nav-lacnic' }, t('nav.lacnic'))),
      h('li', null, h('a', { href: '#/group/manrs', 'data-testid': 'nav-manrs' }, t('nav.manrs'))),
      h('li', null, h('a', { href: '#/incidents', 'data-testid': 'nav-incidents' }, t('nav.incidents'))),
      h('li', null, h('a', { href: '#/compare', 'data-testid': 'nav-compare' }, t('nav.compare'))),
    ),
  );
  return h(
    'header',
    { className: 'site' },
    h('div', { className: 'brand' }, h('a', { href: '#/', className: 'logo' }, 'Vigía'), h('span', { className: 'tagline' }, t('app.tagline'))),
    nav,
    form,
    h('div', { className: 'lang' }, h('label', { for: 'lang' }, t('lang.label')), select),
  );
}

let renderSeq = 0;

async function renderPage(): Promise<void> {
  const seq = ++renderSeq;
  disposeCharts();
  clear(main);
  const r = currentRoute();
  const [page, id, extra] = r.parts;
  document.body.classList.toggle('print-mode', extra === 'print');
  // Every page starts with the snapshot picker and the provenance banner.
  // (Not on the country brief, #/brief/..., which has its own sources section and page layout.)
  const ctx = main.appendChild(document.createElement('div'));
  const ctxDone = (page === 'brief' ? Promise.reject(new Error('no block')) : provenanceBlock())
    .then((b) => {
      if (seq === renderSeq) ctx.replaceWith(b);
    })
    .catch(() => ctx.remove());
  try {
    switch (page ?? '') {
      case '':
      case 'overview':
        // One page per region: the old #/overview/ID is the region page.
        if (id) {
          history.replaceState(null, '', withLang(`#/region/${encodeURIComponent(id)}`));
          main.dataset.route = `#/region/${id}`;
          await renderEntity(main, 'region', id, false, () => seq === renderSeq);
        } else await renderOverview(main, r.query.get('region') ?? '', () => seq === renderSeq);
        break;
      case 'incidents':
        await renderIncidents(main, r.query, () => seq === renderSeq);
        break;
      case 'route':
        await renderRoute(main, r.query, () => seq === renderSeq);
        break;
      case 'history':
        await renderHistory(main, r.query, () => seq === renderSeq);
        break;
      case 'as':
      case 'country':
      case 'region':
      case 'ixp':
      case 'group':
        await renderEntity(main, page, id ?? '', extra === 'print', () => seq === renderSeq);
        break;
      case 'incident':
        await renderIncident(main, id ?? '', () => seq === renderSeq);
        break;
      case 'compare':
        await renderCompare(main, r.query, () => seq === renderSeq);
        break;
      case 'brief':
        await renderBrief(main, id ?? '', extra ?? '', r.query, () => seq === renderSeq);
        break;
      case 'search':
        await renderSearch(main, r.query.get('q') ?? '', () => seq === renderSeq);
        break;
      default:
        main.appendChild(errorBox({ status: 404 }));
    }
  } catch (e) {
    if (seq === renderSeq) {
      clear(main);
      main.appendChild(errorBox(e));
    }
  }
  await ctxDone;
  if (seq === renderSeq) {
    const h1 = main.querySelector('h1');
    document.title = h1 ? `${h1.textContent} · Vigía` : 'Vigía';
    main.setAttribute('aria-busy', 'false');
    main.dataset.route = withoutLang(location.hash || '#/');
    main.dataset.lang = lang();
    main.dataset.ready = '1';
  }
}

let first = true;
function render(): void {
  document.documentElement.lang = lang();
  clear(app);
  main = h('main', { id: 'main', tabindex: -1, 'aria-busy': 'true' });
  app.append(
    h('a', { className: 'skip', href: '#main', 'data-testid': 'skip-link', onclick: ((ev: Event) => { ev.preventDefault(); main.focus(); }) as EventListener }, t('nav.skip')),
    header(),
    main,
    h('footer', { className: 'site' }, h('p', null, t('app.footer'), ' ', h('a', { href: 'api/openapi.json' }, t('app.api')))),
  );
  void renderPage();
}

window.addEventListener('hashchange', () => {
  const asked = urlLang();
  if (!asked) {
    // A link without a language (typed, or from elsewhere): keep the current one.
    history.replaceState(null, '', withLang(location.hash || '#/'));
  } else if (asked !== lang()) {
    setLang(asked);
    render();
    return;
  }
  main.dataset.ready = '';
  main.setAttribute('aria-busy', 'true');
  void renderPage().then(() => {
    if (!first) main.focus({ preventScroll: false });
  });
  first = false;
});

export { go };
setLang(urlLang() ?? lang());
if (!urlLang()) history.replaceState(null, '', withLang(location.hash || '#/'));
render();
