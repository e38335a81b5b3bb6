// The route page (#/route?prefix=P&origin=A): what /api/route says about one announcement: its RPKI
// state with the VRPs, its IRR state with the route objects, what the collectors saw, the incidents
// that involve it, and which ROA or route object would fix it (server-made text, through keys).
import { h, put } from '../dom';
import { ApiError, get, type Incident } from '../api';
import { t, tDyn, tServer, type ServerText } from '../i18n';
import { fmtTime } from '../format';
import { go } from '../router';
import { asLink, num, section, table } from '../ui';
import { incidentList } from './region';

interface RouteInfo {
  prefix: string;
  origin: number | null;
  rpki?: { state: string; reason?: string | ServerText; vrps?: { prefix: string; max_length: number; asn: number }[] };
  irr?: { state: string; objects?: { prefix: string; origin: number; source: string }[] };
  seen?: { peers?: number | string[]; collectors?: number | string[]; paths?: string[]; first?: string | number; last?: string | number };
  incidents?: Incident[];
  fix?: (ServerText & { text?: string })[];
}

function count(v: number | string[] | undefined): number | undefined {
  return Array.isArray(v) ? v.length : v;
}

export async function renderRoute(main: HTMLElement, query: URLSearchParams, live: () => boolean): Promise<void> {
  const prefix = (query.get('prefix') ?? '').trim();
  const origin = (query.get('origin') ?? '').trim().replace(/^as/i, '');
  const pIn = h('input', { id: 'r-prefix', type: 'text', value: prefix, required: true, maxlength: 50, 'data-testid': 'route-prefix', 'aria-describedby': 'r-prefix-help' });
  const oIn = h('input', { id: 'r-origin', type: 'text', value: origin, inputmode: 'numeric', 'data-testid': 'route-origin' });
  const form = h(
    'form',
    { className: 'inline', 'aria-label': t('route.form') },
    h('div', { className: 'field grow' }, h('label', { for: 'r-prefix' }, t('route.prefix')), pIn, h('small', { id: 'r-prefix-help' }, t('route.prefix_help'))),
    h('div', { className: 'field' }, h('label', { for: 'r-origin' }, t('route.origin')), oIn),
    h('button', { type: 'submit', 'data-testid': 'route-submit' }, t('route.submit')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const o = oIn.value.trim().replace(/^as/i, '');
    go(`#/route?prefix=${encodeURIComponent(pIn.value.trim())}${o ? `&origin=${encodeURIComponent(o)}` : ''}`);
  });
  put(main, h('h1', { 'data-testid': 'page-title' }, prefix ? t('route.title', { prefix, origin: origin ? `AS${origin}` : '' }) : t('route.title_empty')), form);
  if (!prefix) return;
  let r: RouteInfo;
  try {
    r = await get<RouteInfo>('route', { prefix, origin });
  } catch (e) {
    if (!live()) return;
    const msg = e instanceof ApiError && e.status === 404 && /path/.test(e.message) ? t('route.unsupported') : e instanceof ApiError ? e.message : String(e);
    put(main, h('p', { className: 'error', role: 'alert', 'data-testid': 'route-error' }, msg));
    return;
  }
  if (!live()) return;
  const state = (kind: 'rpki' | 'irr', s: string | undefined) => h('span', { className: `state state-${s ?? 'no_data'}`, 'data-testid': `route-${kind}-state`, 'data-state': s ?? '' }, tDyn(`route.${kind}.${s ?? 'no_data'}`, s ?? ''));
  const seen = r.seen ?? {};
  put(
    main,
    h('div', { className: 'grid2' },
      section(
        t('route.rpki_title'),
        'h-rpki',
        h('p', null, state('rpki', r.rpki?.state), r.rpki?.reason ? h('span', { className: 'muted' }, ' — ', tServer(r.rpki.reason)) : null),
        table(
          t('route.vrps_caption'),
          [
            { label: t('route.prefix'), cell: (v: { prefix: string; max_length: number; asn: number }) => h('span', { className: 'mono' }, v.prefix) },
            { label: t('route.max_length'), cell: (v) => num(v.max_length, undefined, 0), numeric: true },
            { label: t('route.origin'), cell: (v) => asLink(v.asn), sort: (v) => v.asn },
          ],
          r.rpki?.vrps ?? [],
          null,
          { testid: 'route-vrps', empty: t('route.no_vrps') },
        ),
      ),
      section(
        t('route.irr_title'),
        'h-irr',
        h('p', null, state('irr', r.irr?.state)),
        table(
          t('route.objects_caption'),
          [
            { label: t('route.prefix'), cell: (o: { prefix: string; origin: number; source: string }) => h('span', { className: 'mono' }, o.prefix) },
            { label: t('route.origin'), cell: (o) => asLink(o.origin), sort: (o) => o.origin },
            { label: t('route.source'), cell: (o) => o.source },
          ],
          r.irr?.objects ?? [],
          null,
          { testid: 'route-objects', empty: t('route.no_objects') },
        ),
      ),
    ),
    section(
      t('route.seen_title'),
      'h-seen',
      h(
        'dl',
        { className: 'facts' },
        h('dt', null, t('incident.peers_seen')),
        h('dd', null, num(count(seen.peers), 'route-peers', 0)),
        h('dt', null, t('incident.collectors')),
        h('dd', null, num(count(seen.collectors), 'route-collectors', 0)),
        h('dt', null, t('incident.first_seen')),
        h('dd', null, fmtTime(seen.first)),
        h('dt', null, t('incident.last_seen')),
        h('dd', null, fmtTime(seen.last)),
      ),
      h('h3', null, t('incident.paths')),
      seen.paths?.length ? h('ul', { className: 'mono', 'data-testid': 'route-paths' }, seen.paths.map((p) => h('li', null, p))) : h('p', { className: 'muted' }, t('common.none')),
    ),
    section(t('route.fix_title'), 'h-fix', r.fix?.length ? h('ul', { 'data-testid': 'route-fix' }, r.fix.map((f) => h('li', null, tServer(f)))) : h('p', { className: 'muted', 'data-testid': 'route-fix-none' }, t('route.fix_none'))),
    section(t('route.incidents_title'), 'h-route-incidents', incidentList(r.incidents ?? [], t('route.incidents_title'), null, 'route-incidents')),
  );
}
