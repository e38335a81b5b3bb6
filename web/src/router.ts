// Hash routes: #/, #/overview/lacnic, #/country/BR, #/country/BR/print, #/as/64512,
// #/incident/7, #/compare?kind=as&ids=1,2, #/search?q=text.
import { withLang } from './i18n';

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs ?? '') };
}

export function go(hash: string): void {
  hash = withLang(hash);
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
