// Fails (exit 1) when a dictionary lacks a key of another, has an empty value or a
// different set of {placeholders}, or when the code uses t('key') with a key not in en.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const langs = ['en', 'es', 'pt'];
const dicts = Object.fromEntries(langs.map((l) => [l, JSON.parse(readFileSync(join(root, 'locales', `${l}.json`), 'utf8'))]));
const problems = [];
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
}
// Keys built at run time: every known value must have its key.
const dynamic = {
  band: ['ready', 'aspiring', 'lagging', 'no_data'],
  action: ['action1', 'action2', 'action3', 'action4', 'overall'],
  region: ['lacnic', 'arin', 'ripencc', 'apnic', 'afrinic'],
  kind: ['as', 'country', 'region', 'ixp', 'group'],
  'contest.result': ['ok', '400', '401', '403', '404', 'other'],
  lang: langs,
};
for (const [prefix, values] of Object.entries(dynamic)) for (const v of values) if (!(`${prefix}.${v}` in dicts.en)) problems.push(`en: missing dynamic key '${prefix}.${v}'`);
if (problems.length) {
  for (const p of problems) console.error(`i18n: ${p}`);
  console.error(`i18n: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`i18n: ${allKeys.size} keys in ${langs.join(', ')}; ${uses} uses in the code checked`);
