// The IXP page's own sections (issue [4/7] item 6), under the aggregate report entity.ts renders:
// the MANRS-for-IXPs checklist with each action's evidence (or "not measured": never a pass
// without data), the route-server compliance report of `vigia ixp check` when one was stored
// (its dates, inputs, the rules it could not check, each member's accepted bad routes with the
// reasons translated), and per member what to fix and how many bad routes the route server took.
import { h } from '../dom';
import type { ManrsIxpAction, Member, Report, RsCheck, RsInput, RsMember } from '../api';
import { t, tDyn, tp, tServer } from '../i18n';
import { fixLabel, fmtDate, fmtNum, fmtPct, fmtTime } from '../format';
import { asLink, num, section, table } from '../ui';

/** A reject reason of src/ixp/reason.h ("rpki_invalid", ...) in the page's language. */
export function reasonLabel(key: string): string {
  return tDyn(`ixp.reason.${key}`, key);
}

/** The filter rule a reason belongs to, as `summary.not_checked` names them ("rpki", "irr"). */
function ruleOf(reason: string): string {
  if (reason.startsWith('rpki')) return 'rpki';
  if (reason.startsWith('irr') || reason === 'prefix_not_in_origin') return 'irr';
  return reason;
}

// The status chips wear the band colours: met green, not met red, partial orange, an indicator
// hatched (a measure, not a verdict), not measured grey.
const STATUS_BAND: Record<string, string> = { met: 'ready', not_met: 'lagging', partial: 'aspiring', indicator: 'incomplete', not_measured: 'no_data' };

function statusChip(a: ManrsIxpAction): HTMLElement {
  return h('span', { className: `band band-${STATUS_BAND[a.status] ?? 'no_data'}`, 'data-testid': `manrs-ixp-status-${a.action}`, 'data-status': a.status }, tDyn(`ixp.status.${a.status}`, a.status));
}

const n = (v: unknown): string => fmtNum(typeof v === 'number' ? v : null, 0);

function evidenceText(a: ManrsIxpAction): string {
  const e = a.evidence;
  if (e.reason === 'no_rs_check') return t('ixp.ev.no_rs_check');
  if (e.reason === 'rs_check_unreadable') return t('ixp.ev.rs_unreadable');
  if (e.reason === 'not_public_data') return t('ixp.ev.not_public');
  switch (a.key) {
    case 'filtering': {
      const s = t('ixp.ev.filtering', { bad: n(e.accepted_bad), routes: n(e.routes), members: n(e.members_with_bad), date: typeof e.rib_date === 'string' ? fmtDate(e.rib_date) : t('ixp.date_unknown') });
      const nc = Array.isArray(e.not_checked) ? (e.not_checked as string[]) : [];
      return nc.length ? `${s} ${t('ixp.ev.not_checked', { rules: nc.map((r) => tDyn(`ixp.rule.${r}`, r)).join(', ') })}` : s;
    }
    case 'promotion':
      return t('ixp.ev.promotion', { manrs: n(e.manrs_participants), members: n(e.members), ready: n(e.ready), scored: n(e.scored) });
    case 'coordination':
      return a.status === 'not_measured' ? t('ixp.ev.no_peeringdb') : t('ixp.ev.coordination', { with: n(e.members_with_contact), data: n(e.members_with_data) });
    default:
      return '';
  }
}

function coverageCell(a: ManrsIxpAction): HTMLElement {
  const c = a.coverage;
  if (!c) return h('span', { className: 'muted', 'data-testid': `manrs-ixp-coverage-${a.action}` }, t('ixp.status.not_measured'));
  return h('span', { 'data-testid': `manrs-ixp-coverage-${a.action}` }, t(c.what === 'routes' ? 'ixp.cov.routes' : 'ixp.cov.members', { measured: fmtNum(c.measured, 0), of: fmtNum(c.of, 0) }));
}

export function checklistSection(r: Report): HTMLElement | null {
  const m = r.manrs_ixp;
  if (!m) return null;
  return section(
    t('ixp.checklist_title'),
    'h-manrs-ixp',
    h('p', { className: 'muted' }, t('ixp.checklist_intro'), ' ', h('a', { href: m.programme, rel: 'noopener', target: '_blank' }, t('ixp.checklist_source'))),
    table(
      t('ixp.checklist_caption'),
      [
        { label: t('common.action'), cell: (a: ManrsIxpAction) => h('span', null, `${a.action}. `, tDyn(`ixp.action.${a.key}`, a.key), a.mandatory ? h('span', { className: 'muted small' }, ` (${t('ixp.mandatory')})`) : null), sort: (a) => a.action },
        { label: t('ixp.col_status'), cell: (a) => statusChip(a) },
        { label: t('ixp.col_evidence'), cell: (a) => h('span', { 'data-testid': `manrs-ixp-evidence-${a.action}` }, evidenceText(a)) },
        { label: t('common.coverage'), cell: (a) => coverageCell(a) },
      ],
      m.actions,
      null,
      { testid: 'manrs-ixp-table' },
    ),
  );
}

/** A file's name without its directories (the server's paths are not the reader's business). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function inputText(x: RsInput | null | undefined): string {
  if (!x) return t('ixp.rs_input_none');
  const parts = [baseName(x.file ?? '')];
  if (x.format) parts.push(x.format);
  parts.push(x.date ? fmtDate(x.date) : t('ixp.date_unknown'));
  if (typeof x.count === 'number') parts.push(tp('ixp.rs_entries', x.count));
  return parts.join(' · ');
}

function badRoutes(m: RsMember): HTMLElement | null {
  if (!m.bad_routes?.length) return null;
  return h(
    'details',
    null,
    h('summary', null, tp('ixp.rs_bad_routes', m.bad)),
    h(
      'ul',
      { className: 'mono', 'data-testid': `rs-member-${m.asn}-routes` },
      m.bad_routes.map((b) =>
        h('li', null, `${b.prefix} `, h('span', { className: 'muted' }, `[${b.as_path}] via ${b.next_hop}`), ' — ', h('span', { className: 'reasons' }, b.reasons.map(reasonLabel).join(', ')), b.detail ? h('span', { className: 'muted' }, ` (${b.detail})`) : null),
      ),
    ),
    m.bad_routes_truncated ? h('p', { className: 'muted small' }, t('ixp.rs_truncated')) : null,
  );
}

export function rsCheckSection(r: Report): HTMLElement | null {
  if (r.rs_check === undefined) return null;
  const c: RsCheck | null = r.rs_check;
  if (!c) {
    return section(
      t('ixp.rs_title'),
      'h-rs-check',
      h('p', { className: 'muted', 'data-testid': 'rs-check-missing' }, t('ixp.rs_none')),
      h('pre', { className: 'mono small' }, `vigia ixp check RIB.mrt --members FILE --vrps VRPS.json --irr DB --db URL --ixp ${r.id}`),
    );
  }
  // The server checked the summary is an object; its fields may still be missing.
  const given: Partial<RsCheck['summary']> = c.summary;
  const s: RsCheck['summary'] = { routes: 0, accepted_bad: 0, members: 0, members_with_bad: 0, by_reason: {}, not_checked: [], ...given };
  const notChecked = new Set(s.not_checked ?? []);
  // Every rule: its count of accepted bad routes, or "not checked" when the check had no data for it.
  const reasons = Object.keys(s.by_reason ?? {});
  const byReason = reasons.map((k) => ({ key: k, label: reasonLabel(k), count: s.by_reason[k], unchecked: notChecked.has(ruleOf(k)) }));
  // A rule the report lists no reason of (the check only lists the reasons it judged): one row for it.
  for (const rule of notChecked) if (!byReason.some((x) => ruleOf(x.key) === rule)) byReason.push({ key: rule, label: tDyn(`ixp.rule_all.${rule}`, rule), count: 0, unchecked: true });
  const bad = (c.per_member ?? []).filter((m) => m.bad > 0);
  return section(
    t('ixp.rs_title'),
    'h-rs-check',
    h(
      'dl',
      { className: 'facts', 'data-testid': 'rs-check-facts' },
      c.checked_at ? [h('dt', null, t('ixp.rs_checked_at')), h('dd', { 'data-testid': 'rs-checked-at' }, fmtTime(c.checked_at))] : null,
      h('dt', null, t('ixp.rs_rib')),
      h('dd', { 'data-testid': 'rs-rib' }, inputText(c.rib), c.rib ? [' · ', tp('ixp.rs_routes', c.rib.routes ?? 0), ' · ', tp('ixp.rs_peers', c.rib.peers ?? 0)] : null),
      h('dt', null, t('ixp.rs_members_file')),
      h('dd', { 'data-testid': 'rs-members' }, inputText(c.members)),
      h('dt', null, t('ixp.rs_vrps')),
      h('dd', { 'data-testid': 'rs-vrps' }, c.inputs?.vrps ? inputText(c.inputs.vrps) : t('ixp.not_checked')),
      h('dt', null, t('ixp.rs_irr')),
      h('dd', { 'data-testid': 'rs-irr' }, c.inputs?.irr?.length ? c.inputs.irr.map(inputText).join('; ') : t('ixp.not_checked')),
      h('dt', null, t('ixp.rs_bogons')),
      h('dd', null, c.inputs?.bogons === 'file' ? t('ixp.rs_bogons_file') : t('ixp.rs_bogons_builtin')),
    ),
    h(
      'div',
      { className: 'kpis' },
      h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('ixp.rs_routes_checked')), h('span', { className: 'kpi-value' }, num(s.routes, 'rs-routes', 0))),
      h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('ixp.rs_accepted_bad')), h('span', { className: 'kpi-value' }, num(s.accepted_bad, 'rs-accepted-bad', 0)), h('span', { className: 'cov' }, s.routes ? fmtPct(s.accepted_bad, s.routes) : '')),
      h('div', { className: 'kpi' }, h('span', { className: 'kpi-label' }, t('ixp.rs_members_with_bad')), h('span', { className: 'kpi-value' }, num(s.members_with_bad, 'rs-members-with-bad', 0)), h('span', { className: 'cov' }, t('ixp.rs_of_members', { n: fmtNum(s.members, 0) }))),
    ),
    notChecked.size ? h('p', { className: 'banner warn', role: 'note', 'data-testid': 'rs-not-checked' }, t('ixp.rs_not_checked_note', { rules: [...notChecked].map((x) => tDyn(`ixp.rule.${x}`, x)).join(', ') })) : null,
    table(
      t('ixp.rs_by_reason_caption'),
      [
        { label: t('ixp.rs_reason'), cell: (x: (typeof byReason)[number]) => h('span', { 'data-testid': `rs-reason-${x.key}-label` }, x.label) },
        { label: t('ixp.rs_accepted_bad'), cell: (x) => (x.unchecked ? h('span', { className: 'muted', 'data-testid': `rs-reason-${x.key}`, 'data-value': '' }, t('ixp.not_checked')) : num(x.count, `rs-reason-${x.key}`, 0)), numeric: true, sort: (x) => (x.unchecked ? null : x.count) },
      ],
      byReason,
      null,
      { testid: 'rs-by-reason-table' },
    ),
    table(
      t('ixp.rs_members_caption'),
      [
        { label: t('common.as'), cell: (m: RsMember) => asLink(m.asn) },
        { label: t('common.name'), cell: (m) => m.name },
        { label: t('common.routes'), cell: (m) => num(m.routes, `rs-member-${m.asn}-routes-count`, 0), numeric: true },
        { label: t('ixp.rs_accepted_bad'), cell: (m) => num(m.bad, `rs-member-${m.asn}-bad`, 0), numeric: true },
        {
          label: t('ixp.rs_reasons'),
          cell: (m) => h('div', null, h('span', { 'data-testid': `rs-member-${m.asn}-reasons` }, Object.entries(m.by_reason ?? {}).filter(([, v]) => v > 0).map(([k, v]) => `${reasonLabel(k)} (${fmtNum(v, 0)})`).join('; ')), badRoutes(m)),
          sortable: false,
        },
      ],
      bad,
      null,
      { testid: 'rs-members-table', empty: t('ixp.rs_no_bad') },
    ),
    c.unknown_peers?.length
      ? table(
          t('ixp.rs_unknown_caption'),
          [
            { label: t('ixp.rs_peer'), cell: (p: RsCheck['unknown_peers'][number]) => h('span', { className: 'mono' }, p.peer) },
            { label: t('common.as'), cell: (p) => asLink(p.asn) },
            { label: t('common.routes'), cell: (p) => num(p.routes, undefined, 0), numeric: true },
          ],
          c.unknown_peers,
          null,
          { testid: 'rs-unknown-peers-table' },
        )
      : null,
  );
}

/** The members table's IXP columns: what the member must fix, and its bad routes at the route server. */
export function memberFixCell(r: Report, m: Member): HTMLElement {
  const fixes = m.fixes ?? [];
  const rs = r.rs_check?.per_member?.find((x) => x.asn === m.asn);
  const items: HTMLElement[] = fixes.map((f) => h('li', null, tServer({ key: f.key, args: f.args, text: fixLabel(f.what) })));
  if (rs && rs.bad > 0) items.push(h('li', { 'data-testid': `member-${m.asn}-rs` }, t('ixp.member_rs_bad', { n: fmtNum(rs.bad, 0), reasons: Object.keys(rs.by_reason ?? {}).filter((k) => rs.by_reason[k] > 0).map(reasonLabel).join(', ') })));
  if (!items.length) return h('span', { className: 'muted', 'data-testid': `member-${m.asn}-fixes`, 'data-count': '0' }, t('ixp.member_nothing'));
  return h('ul', { className: 'fixes small', 'data-testid': `member-${m.asn}-fixes`, 'data-count': String(items.length) }, items);
}

/** The number of the member's accepted bad routes in the stored check; null without a check. */
export function memberRsBad(r: Report, m: Member): number | null {
  if (!r.rs_check) return null;
  return r.rs_check.per_member?.find((x) => x.asn === m.asn)?.bad ?? 0;
}
