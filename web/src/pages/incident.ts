import { h, put } from '../dom';
import { ApiError, csvUrl, get, post, type Contest, type Incident } from '../api';
import { t, tDyn, tServer, type ServerText } from '../i18n';
import { fmtTime, incidentTypeLabel } from '../format';
import { asLink, num, section } from '../ui';
import { contestsTable } from './entity';

const TOKEN_KEY = 'vigia.token';

async function loadIncident(id: string): Promise<Incident> {
  try {
    return await get<Incident>(`incidents/${encodeURIComponent(id)}`);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404 || !/path/.test(e.message)) throw e;
  }
  // Older servers without GET /api/incidents/{id}: look the incident up in the list.
  for (let offset = 0; offset < 100000; offset += 1000) {
    const page = await get<{ incidents: Incident[] }>('incidents', { limit: 1000, offset });
    const hit = page.incidents.find((i) => String(i.id) === id);
    if (hit) return hit;
    if (page.incidents.length < 1000) break;
  }
  throw new ApiError(404, 'unknown incident');
}

/** The evidence reasons in the current language: through reason_keys when the server sends them. */
function reasonsOf(ev: { reasons?: string[]; reason_keys?: unknown }): string[] {
  const keys = Array.isArray(ev.reason_keys) ? (ev.reason_keys as ServerText[]) : [];
  const texts = ev.reasons ?? [];
  const n = Math.max(keys.length, texts.length);
  return Array.from({ length: n }, (_, i) => tServer({ ...(keys[i] ?? {}), text: texts[i] ?? keys[i]?.text }));
}

function list(items: string[] | undefined, testid: string, mono = true): HTMLElement {
  if (!items?.length) return h('p', { className: 'muted' }, t('common.none'));
  return h('ul', { className: mono ? 'mono' : null, 'data-testid': testid }, items.map((x) => h('li', null, x)));
}

function contestForm(inc: Incident, onDone: () => void): HTMLElement {
  const status = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'contest-status' });
  let saved = '';
  try {
    saved = sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    /* storage unavailable */
  }
  const token = h('input', { id: 'c-token', type: 'password', autocomplete: 'off', required: true, value: saved, 'data-testid': 'contest-token', 'aria-describedby': 'c-token-help' });
  const author = h('input', { id: 'c-author', type: 'text', required: true, maxlength: 200, autocomplete: 'name', 'data-testid': 'contest-author' });
  const reason = h('textarea', { id: 'c-reason', required: true, rows: 4, maxlength: 4000, 'data-testid': 'contest-reason' });
  const button = h('button', { type: 'submit', 'data-testid': 'contest-submit' }, t('contest.submit'));
  const form = h(
    'form',
    { className: 'contest', 'aria-labelledby': 'h-contest-form' },
    h('h3', { id: 'h-contest-form' }, t('contest.form_title')),
    h('p', { className: 'muted' }, t('contest.form_intro')),
    h('div', { className: 'field' }, h('label', { for: 'c-token' }, t('contest.token')), token, h('small', { id: 'c-token-help' }, t('contest.token_help'))),
    h('div', { className: 'field' }, h('label', { for: 'c-author' }, t('contest.author')), author),
    h('div', { className: 'field' }, h('label', { for: 'c-reason' }, t('contest.reason')), reason),
    button,
    status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      sessionStorage.setItem(TOKEN_KEY, token.value);
    } catch {
      /* storage unavailable */
    }
    button.disabled = true;
    status.className = '';
    status.textContent = t('contest.sending');
    try {
      const res = await post<{ contest?: Contest; error?: string }>(`incidents/${inc.id}/contest`, { author: author.value.trim(), reason: reason.value.trim() }, token.value.trim());
      const key = res.status === 201 || res.status === 200 ? 'ok' : [400, 401, 403, 404].includes(res.status) ? String(res.status) : 'other';
      status.textContent = tDyn(`contest.result.${key}`) + (key === 'other' ? ` (${res.status})` : '');
      status.className = key === 'ok' ? 'ok' : 'error';
      status.dataset.result = key;
      if (key === 'ok') {
        reason.value = '';
        onDone();
      }
    } catch (e) {
      status.textContent = t('error.generic', { msg: String(e) });
      status.className = 'error';
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function renderIncident(main: HTMLElement, id: string, live: () => boolean): Promise<void> {
  const inc = await loadIncident(id);
  if (!live()) return;
  const ev = inc.evidence ?? {};
  const contestsBox = h('div', null);
  const showContests = (contests: Contest[] | undefined) => {
    contestsBox.replaceChildren(contests ? contestsTable(contests, inc.culprit ? csvUrl(`as/${inc.culprit}`) : null, false) : h('p', { className: 'muted' }, t('contest.log_missing')));
  };
  showContests(inc.contests);
  const refresh = async () => {
    try {
      const fresh = await get<Incident>(`incidents/${inc.id}`);
      showContests(fresh.contests);
      contestedEl.textContent = fresh.contested ? t('common.yes') : t('common.no');
    } catch {
      /* keep the old list */
    }
  };
  const contestedEl = h('dd', { 'data-testid': 'incident-contested' }, inc.contested ? t('common.yes') : t('common.no'));
  put(main, 
    h('p', { className: 'crumb muted' }, t('incident.crumb')),
    h('h1', { 'data-testid': 'page-title' }, t('incident.title', { id: inc.id, type: incidentTypeLabel(inc.type) })),
    section(
      t('incident.summary'),
      'h-summary',
      h(
        'dl',
        { className: 'facts' },
        h('dt', null, t('common.type')),
        h('dd', { 'data-testid': 'incident-type', 'data-value': inc.type }, incidentTypeLabel(inc.type)),
        h('dt', null, t('incident.kind')),
        h('dd', { 'data-testid': 'incident-kind' }, tDyn(`ikind.${inc.kind}`, inc.kind)),
        h('dt', null, t('incident.culprit')),
        h('dd', { 'data-testid': 'incident-culprit', 'data-value': String(inc.culprit) }, inc.culprit ? asLink(inc.culprit) : t('common.na')),
        h('dt', null, t('incident.propagator')),
        h('dd', { 'data-testid': 'incident-propagator', 'data-value': String(inc.propagator) }, inc.propagator ? asLink(inc.propagator) : t('common.na')),
        h('dt', null, t('incident.start')),
        h('dd', { 'data-testid': 'incident-start' }, h('time', { datetime: inc.start }, fmtTime(inc.start))),
        h('dt', null, t('incident.end')),
        h('dd', { 'data-testid': 'incident-end' }, h('time', { datetime: inc.end }, fmtTime(inc.end))),
        h('dt', null, t('incident.confidence')),
        h('dd', null, num(inc.confidence, 'incident-confidence')),
        h('dt', null, t('incident.peers_seen')),
        h('dd', null, num(ev.peers_seen, 'incident-peers-seen', 0)),
        h('dt', null, t('incident.first_seen')),
        h('dd', null, fmtTime(ev.first_seen)),
        h('dt', null, t('incident.last_seen')),
        h('dd', null, fmtTime(ev.last_seen)),
        h('dt', null, t('incident.contested')),
        contestedEl,
      ),
    ),
    section(t('incident.evidence'), 'h-evidence',
      h('h3', null, t('incident.reasons')),
      list(reasonsOf(ev), 'incident-reasons', false),
      h('h3', null, t('incident.prefixes'), ' ', h('span', { className: 'muted' }, '(', num(inc.prefixes.length, 'incident-prefix-count', 0), ')')),
      list(inc.prefixes, 'incident-prefixes'),
      h('h3', null, t('incident.paths')),
      list(ev.example_paths, 'incident-paths'),
      h('h3', null, t('incident.peers')),
      list(ev.peers, 'incident-peers'),
      h('h3', null, t('incident.collectors')),
      list(ev.collectors, 'incident-collectors'),
    ),
    section(t('contest.title'), 'h-contests', contestsBox, contestForm(inc, () => void refresh())),
  );
}
