// Fails (exit 1) when a dictionary lacks a key of another, has an empty value or a
// different set of {placeholders}, or when the code uses t('key') with a key not in en.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const langs = ['en', 'es', 'pt'];
// Every locales/LANG.json and locales/NAME.LANG.json, merged per language (as src/i18n.ts does);
// each NAME group must have the same keys in every language.
const localeFiles = readdirSync(join(root, 'locales')).filter((f) => /^(?:[^/]+\.)?(en|es|pt)\.json$/.test(f));
const dicts = Object.fromEntries(langs.map((l) => [l, {}]));
const groups = new Map();
for (const f of localeFiles.sort((a, b) => Number(/^[a-z]{2}\.json$/.test(a)) - Number(/^[a-z]{2}\.json$/.test(b)) || a.localeCompare(b))) {
  const l = /([a-z]{2})\.json$/.exec(f)[1];
  const group = f.slice(0, -'xx.json'.length) || '(app)';
  const d = JSON.parse(readFileSync(join(root, 'locales', f), 'utf8'));
  if (!groups.has(group)) groups.set(group, {});
  groups.get(group)[l] = d;
  Object.assign(dicts[l], d);
}
const problems = [];
for (const [group, byLang] of groups) for (const l of langs) if (!byLang[l]) problems.push(`${group}: no ${l} file`);
const allKeys = new Set(langs.flatMap((l) => Object.keys(dicts[l])));
const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
for (const key of allKeys) {
  for (const l of langs) {
    const v = dicts[l][key];
    if (v === undefined) problems.push(`${l}: missing key '${key}'`);
    else if (typeof v !== 'string' || v.trim() === '') problems.push(`${l}: empty value for '${key}'`);
    else if (dicts.en[key] !== undefined && holes(v) !== holes(dicts.en[key])) problems.push(`${l}: placeholders of '${key}' differ from en`);
  }
}
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
};
walk(root);
let uses = 0;
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  for (const m of src.matchAll(/\bt\(\s*'([^']+)'/g)) {
    uses++;
    if (!(m[1] in dicts.en)) problems.push(`${f.slice(root.length + 1)}: t('${m[1]}') is not in en.json`);
  }
  // Counted strings: tp('base', n) needs base.other (and base.one for en).
  for (const m of src.matchAll(/\btp\(\s*'([^']+)'/g)) {
    uses++;
    for (const k of [`${m[1]}.other`, `${m[1]}.one`]) if (!(k in dicts.en)) problems.push(`${f.slice(root.length + 1)}: tp('${m[1]}') lacks '${k}' in en`);
  }
}
// Keys built at run time: every known value must have its key.
const dynamic = {
  band: ['ready', 'aspiring', 'lagging', 'no_data', 'incomplete', 'low_coverage'],
  'map.band': ['ready', 'aspiring', 'lagging', 'no_data', 'incomplete', 'low_coverage'],
  'overview.ases': ['ready', 'aspiring', 'lagging', 'no_data', 'incomplete'],
  'contest.state': ['none', 'contested', 'submitted', 'accepted', 'rejected'],
  'route.rpki': ['valid', 'invalid', 'not_found', 'no_data'],
  'route.irr': ['registered', 'other_origin', 'not_found', 'no_data'],
  'prov.input': ['mrt', 'rpki', 'irr', 'registry', 'topology', 'peeringdb', 'extra'],
  action: ['action1', 'action2', 'action3', 'action4', 'overall'],
  region: ['lacnic', 'arin', 'ripencc', 'apnic', 'afrinic'],
  kind: ['as', 'country', 'region', 'ixp', 'group'],
  'contest.result': ['ok', '400', '401', '403', '404', 'other'],
  lang: langs,
  // The IXP page (pages/ixp.ts): the checklist's actions and statuses (src/serve/routes_ixp.cc),
  // the reject reasons of src/ixp/reason.h and the rules a route-server check may not have checked.
  'ixp.action': ['filtering', 'promotion', 'platform', 'coordination', 'tools'],
  'ixp.status': ['met', 'not_met', 'partial', 'indicator', 'not_measured'],
  'ixp.reason': ['prefix_too_long', 'prefix_too_short', 'bogon', 'bogon_asn', 'as_path_too_long', 'as_path_too_short', 'first_as_not_peer', 'next_hop_not_peer', 'irr_prefix', 'irr_origin', 'prefix_not_in_origin', 'rpki_unknown', 'rpki_invalid', 'transit_free_asn', 'too_many_communities', 'well_known_community', 'max_prefix'],
  'ixp.rule': ['rpki', 'irr'],
  'ixp.rule_all': ['rpki', 'irr'],
};
for (const [prefix, values] of Object.entries(dynamic)) for (const v of values) if (!(`${prefix}${prefix === 'overview.ases' ? '_' : '.'}${v}` in dicts.en)) problems.push(`en: missing dynamic key '${prefix}.${v}'`);
if (problems.length) {
  for (const p of problems) console.error(`i18n: ${p}`);
  console.error(`i18n: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`i18n: ${allKeys.size} keys in ${langs.join(', ')} from ${localeFiles.length} files; ${uses} uses in the code checked`);
