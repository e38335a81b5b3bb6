// Browser checks of the IXP page (issue [4/7] item 6) against a running `vigia serve --web`
// whose store holds a route-server check for each of IXP_IDS (tests/web/ixp.sh).
// Usage: node ixp.test.mjs BASE_URL WORKDIR IXP_ID[,IXP_ID...]
// In English and Spanish: the members with their bands, bad routes at the route server and what
// each must fix; the route-server report (dates, inputs, unchecked rules, bad routes by reason and
// by member, reasons in the page's language); the MANRS-for-IXPs checklist with every status and
// its evidence; an IXP without a check says so. Numbers against /api/ixp/{id}.
import { join } from 'node:path';
import { apiClient, assert, axeScript, check, eq, finish, launchApp, loadDictionaries, screenshotDir } from './harness.mjs';

const axeSource = axeScript();
const dict = loadDictionaries(['en', 'es']);

const [BASE, WORKDIR, IDS] = process.argv.slice(2);
if (!BASE || !WORKDIR || !IDS) {
  console.error('usage: node ixp.test.mjs BASE_URL WORKDIR IXP_ID[,IXP_ID...]');
  process.exit(2);
}
const shots = screenshotDir(WORKDIR);
const api = apiClient(BASE);

const { browser, context } = await launchApp();
const page = await context.newPage();
const errors = [];
page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));

async function open(hash, lang) {
  await page.goto(`${BASE}/${hash}?lang=${lang}`);
  await page.waitForSelector(`main[data-ready="1"][data-route="${hash}"]`, { timeout: 10000 });
}
const text = async (testid) => ((await page.locator(`[data-testid="${testid}"]`).first().textContent({ timeout: 3000 })) ?? '').trim();
const value = async (testid) => {
  const v = await page.locator(`[data-testid="${testid}"]`).first().getAttribute('data-value', { timeout: 3000 });
  return v === '' || v === null ? null : Number(v);
};
const rows = (testid) => page.locator(`[data-testid="${testid}"] tbody tr`).count();
/** The dictionary's text with its {placeholders} as wildcards, for texts the page fills in. */
function pattern(s) {
  return new RegExp(`^${s.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.*')}$`, 's');
}
const rule = (reason) => (reason.startsWith('rpki') ? 'rpki' : reason.startsWith('irr') || reason === 'prefix_not_in_origin' ? 'irr' : reason);

const checked = IDS.split(',');
const other = (await api('ranking?kind=ixp&limit=1000')).entities.find((e) => !checked.includes(e.id));

for (const IXP of checked) {
  const rep = await api(`ixp/${IXP}?members=1000`);
  const rs = rep.rs_check;
  if (!rs) throw new Error(`GET /api/ixp/${IXP} has no rs_check: the runner stored none`);
  for (const lang of ['en', 'es']) {
    const d = dict[lang];
    await check(`${lang}: IXP ${IXP} members, their bands, bad routes at the route server and what each must fix`, async () => {
      await open(`#/ixp/${IXP}`, lang);
      eq(await page.locator('html').getAttribute('lang'), lang, 'html lang');
      eq(await rows('members-table'), rep.members.listed.length, 'member rows');
      let withBad = 0;
      for (const m of rep.members.listed) {
        eq(await page.getAttribute(`[data-testid="member-${m.asn}-band"]`, 'data-band'), m.band || 'no_data', `band of AS${m.asn}`);
        const pm = rs.per_member.find((x) => x.asn === m.asn);
        const bad = pm?.bad ?? 0;
        eq(await value(`member-${m.asn}-rs-bad`), bad, `AS${m.asn}: bad routes at the route server`);
        const fixes = page.locator(`[data-testid="member-${m.asn}-fixes"]`);
        eq(Number(await fixes.getAttribute('data-count')), m.fixes.length + (bad > 0 ? 1 : 0), `AS${m.asn}: things to fix`);
        if (bad > 0) {
          withBad++;
          const line = await text(`member-${m.asn}-rs`);
          for (const k of Object.keys(pm.by_reason).filter((k) => pm.by_reason[k] > 0)) assert(line.includes(d[`ixp.reason.${k}`]), `AS${m.asn}: "${line}" lacks the ${lang} reason ${k}`);
        } else if (!m.fixes.length) {
          eq(await text(`member-${m.asn}-fixes`), d['ixp.member_nothing'], `AS${m.asn}: nothing to fix`);
        }
      }
      // The check found bad routes of members of this IXP (the runner made sure of it).
      assert(withBad > 0 || !rs.per_member.some((x) => x.bad > 0 && rep.members.listed.some((m) => m.asn === x.asn)), 'no member shows its bad routes');
    });

    await check(`${lang}: the route-server report: dates, inputs, unchecked rules, bad routes by reason and by member`, async () => {
      const s = rs.summary;
      eq(await value('rs-routes'), s.routes, 'routes checked');
      eq(await value('rs-accepted-bad'), s.accepted_bad, 'bad routes accepted');
      eq(await value('rs-members-with-bad'), s.members_with_bad, 'members with bad routes');
      const base = (f) => f.slice(f.lastIndexOf('/') + 1);
      assert((await text('rs-rib')).includes(base(rs.rib.file)), 'RIB file not shown');
      if (rs.rib.date) {
        const shown = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${rs.rib.date}T00:00:00Z`));
        assert((await text('rs-rib')).includes(shown), `RIB date ${shown} not shown in "${await text('rs-rib')}"`);
      }
      assert((await text('rs-members')).includes(base(rs.members.file)), 'members file not shown');
      assert(!(await text('rs-rib')).includes('/'), 'the server\'s directories are shown');
      assert(await page.isVisible('[data-testid="rs-checked-at"]'), 'no check time');
      const notChecked = s.not_checked ?? [];
      if (rs.inputs.vrps) assert((await text('rs-vrps')).includes(base(rs.inputs.vrps.file)), 'VRP file not shown');
      else eq(await text('rs-vrps'), d['ixp.not_checked'], 'VRPs not checked');
      if (!rs.inputs.irr.length) eq(await text('rs-irr'), d['ixp.not_checked'], 'IRR not checked');
      eq(await page.isVisible('[data-testid="rs-not-checked"]'), notChecked.length > 0, 'unchecked-rules note');
      if (notChecked.length) assert(pattern(d['ixp.rs_not_checked_note']).test(await text('rs-not-checked')), 'unchecked-rules note not in the page language');
      // A rule not checked and without a reason of its own in by_reason has a row of its own.
    for (const r of notChecked.filter((r) => !Object.keys(s.by_reason).some((k) => rule(k) === r))) {
      eq(await text(`rs-reason-${r}-label`), d[`ixp.rule_all.${r}`], `rule ${r} in ${lang}`);
      eq(await text(`rs-reason-${r}`), d['ixp.not_checked'], `rule ${r} not checked`);
    }
    for (const [k, n] of Object.entries(s.by_reason)) {
        eq(await text(`rs-reason-${k}-label`), d[`ixp.reason.${k}`], `reason ${k} in ${lang}`);
        // A rule the check had no data for is "not checked", never 0.
        if (notChecked.includes(rule(k))) {
          eq(await text(`rs-reason-${k}`), d['ixp.not_checked'], `reason ${k} not checked`);
          eq(await value(`rs-reason-${k}`), null, `reason ${k} has no number`);
        } else {
          eq(await value(`rs-reason-${k}`), n, `reason ${k}`);
        }
      }
      const bad = rs.per_member.filter((m) => m.bad > 0);
      eq(await rows('rs-members-table'), bad.length || 1, 'members with bad routes rows');
      for (const m of bad) {
        eq(await value(`rs-member-${m.asn}-bad`), m.bad, `AS${m.asn}: bad routes`);
        const reasons = await text(`rs-member-${m.asn}-reasons`);
        for (const k of Object.keys(m.by_reason).filter((k) => m.by_reason[k] > 0)) assert(reasons.includes(d[`ixp.reason.${k}`]), `AS${m.asn}: "${reasons}" lacks ${k} in ${lang}`);
        const list = page.locator(`[data-testid="rs-member-${m.asn}-routes"] li`);
        eq(await list.count(), m.bad_routes.length, `AS${m.asn}: bad routes listed`);
        for (const [i, b] of m.bad_routes.entries()) assert(((await list.nth(i).textContent()) ?? '').startsWith(b.prefix), `AS${m.asn}: route ${i} is not ${b.prefix}`);
      }
      if (rs.unknown_peers.length) eq(await rows('rs-unknown-peers-table'), rs.unknown_peers.length, 'unknown peers');
    });

    await check(`${lang}: the MANRS-for-IXPs checklist: five actions, each status and its evidence`, async () => {
      const acts = rep.manrs_ixp.actions;
      eq(acts.length, 5, 'actions in the API');
      eq(await rows('manrs-ixp-table'), 5, 'checklist rows');
      for (const a of acts) {
        eq(await page.getAttribute(`[data-testid="manrs-ixp-status-${a.action}"]`, 'data-status'), a.status, `action ${a.action} status`);
        eq(await text(`manrs-ixp-status-${a.action}`), d[`ixp.status.${a.status}`], `action ${a.action} status in ${lang}`);
        const ev = await text(`manrs-ixp-evidence-${a.action}`);
        assert(ev.length > 0, `action ${a.action} shows no evidence`);
        if (a.coverage) assert(pattern(d[a.coverage.what === 'routes' ? 'ixp.cov.routes' : 'ixp.cov.members']).test(await text(`manrs-ixp-coverage-${a.action}`)), `action ${a.action} coverage`);
        else eq(await text(`manrs-ixp-coverage-${a.action}`), d['ixp.status.not_measured'], `action ${a.action} coverage`);
      }
      // 3 and 5 are never measured from public data; 1 follows the stored check (not met: bad routes).
      for (const n of [3, 5]) eq(await text(`manrs-ixp-evidence-${n}`), d['ixp.ev.not_public'], `action ${n} evidence`);
      eq(acts[0].status, rs.summary.accepted_bad > 0 ? 'not_met' : rs.summary.not_checked.length ? 'partial' : 'met', 'action 1 follows the check');
      assert(pattern(d['ixp.ev.filtering']).test((await text('manrs-ixp-evidence-1')).split(/(?<=\.) /)[0]), 'action 1 evidence not in the page language');
      assert(pattern(d['ixp.ev.promotion']).test(await text('manrs-ixp-evidence-2')), 'action 2 evidence not in the page language');
      await page.screenshot({ path: join(shots, `ixp-${IXP}-${lang}.png`), fullPage: true });
    });
  }
}

for (const lang of ['en', 'es']) {
  const d = dict[lang];
  if (other) {
    await check(`${lang}: IXP ${other.id} without a check says so and leaves Action 1 not measured`, async () => {
      await open(`#/ixp/${other.id}`, lang);
      eq(await text('rs-check-missing'), d['ixp.rs_none'], 'no-check text');
      eq(await page.getAttribute('[data-testid="manrs-ixp-status-1"]', 'data-status'), 'not_measured', 'action 1');
      eq(await text('manrs-ixp-evidence-1'), d['ixp.ev.no_rs_check'], 'action 1 evidence');
      eq(await text(`member-${(await api(`ixp/${other.id}?members=1`)).members.listed[0].asn}-rs-bad`), d['ixp.not_checked'], 'members: not checked');
    });
  }
}

await check('no serious accessibility violations on the IXP page (axe)', async () => {
  await open(`#/ixp/${checked[0]}`, 'es');
  await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0]?.target}`);
  });
  eq(res.join('; '), '', 'axe serious/critical violations');
});
await check('no console or page errors', async () => eq(errors.join(' | '), '', 'errors'));

await browser.close();
finish();
