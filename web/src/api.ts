// The JSON API of `vigia serve`, same origin, relative URLs.

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | undefined | null>;

export function apiUrl(path: string, params?: Params): string {
  const q = new URLSearchParams();
  if (params) for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `api/${path.replace(/^\//, '')}${s ? `?${s}` : ''}`;
}

export function csvUrl(path: string, params?: Params): string {
  return apiUrl(path, { ...params, format: 'csv' });
}

// The routes that read one snapshot and take ?date= (the snapshot picker's choice, kept in the
// page's URL as #/...?date=YYYY-MM-DD and passed on to every such call).
const DATED = /^(overview|ranking|search|compare|incidents|history|as|country|region|ixp|group)(\/|$)/;

/** The snapshot date the page's URL asks for, or ''. */
export function pageDate(): string {
  const qs = location.hash.split('?', 2)[1] ?? '';
  const d = new URLSearchParams(qs).get('date') ?? '';
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : '';
}

/** The parameter a 400 "unknown parameter 'x'" names (an older server), or null. */
export function unknownParam(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.status !== 400) return null;
  return /unknown parameter '([^']+)'/.exec(e.message)?.[1] ?? null;
}

export async function get<T>(path: string, params?: Params): Promise<T> {
  const date = pageDate();
  if (date && DATED.test(path.replace(/^\//, '')) && !(params && 'date' in params)) params = { ...params, date };
  const res = await fetch(apiUrl(path, params), { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    let msg = res.statusText;
    try {
      msg = ((await res.json()) as { error?: string }).error ?? msg;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, msg);
  }
  return (await res.json()) as T;
}

export async function post<T>(path: string, body: unknown, token: string): Promise<{ status: number; data: T }> {
  const res = await fetch(apiUrl(path), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    /* empty */
  }
  return { status: res.status, data: data as T };
}

// ---- Types (only the fields the app reads) ----
export interface Score {
  score: number | null;
  /** Upper bound of an interval score (missing data counted 100); equal to score when complete. */
  score_max?: number | null;
  band: string;
  measured?: number;
  of?: number;
  members?: number;
  ready?: number;
  aspiring?: number;
  lagging?: number;
  incomplete?: number;
  no_data?: number;
}
export type Scores = Record<string, Score>;
export interface Coverage {
  rpki?: { routes: number; valid: number; invalid: number; not_found: number; no_data?: boolean };
  irr?: { routes: number; registered: number; no_data?: boolean };
}
export interface ProvenanceInput {
  input: string;
  source?: string;
  date?: string | null;
  age_days?: number | null;
}
export interface Provenance {
  simulated?: boolean;
  observed?: string;
  inputs?: ProvenanceInput[];
  spread_days?: number | null;
  warnings?: (string | { key?: string; args?: Record<string, unknown>; text?: string })[];
  // The same warnings as keys (beside `warnings`, in the same order): translated when present.
  warning_keys?: { key: string; args?: Record<string, unknown> }[];
}
export interface SnapshotInfo {
  id: number;
  date: string;
  source?: string;
  partial?: boolean;
  missing?: string[] | string;
  provenance?: Provenance;
}
export interface IncidentPage {
  snapshot?: { id: number; date: string };
  total?: number;
  limit?: number;
  offset?: number;
  incidents: Incident[];
}
// A country of the overview: its overall score with the band counts.
export interface CountryRow extends Omit<Score, 'score'> {
  id: string;
  region: string;
  overall: number | null;
  /** The full score entry (interval, coverage) on newer servers. */
  score?: Score;
}
export interface Overview {
  snapshot: { id: number; date: string };
  global: Scores;
  manrs?: Scores;
  regions: { id: string; name: string; scores: Scores; coverage?: Coverage }[];
  incidents: Record<string, number>;
  coverage?: Coverage;
  countries?: CountryRow[];
}
export interface Evidence {
  reasons?: string[];
  reason_keys?: { key: string; args?: Record<string, unknown> }[];
  example_paths?: string[];
  peers_seen?: number;
  peers?: string[];
  collectors?: string[];
  first_seen?: number;
  last_seen?: number;
  [k: string]: unknown;
}
export interface Incident {
  id: number;
  type: string;
  kind: string;
  role?: string;
  culprit: number;
  propagator: number;
  prefixes: string[];
  start: string;
  end: string;
  confidence: number;
  evidence: Evidence;
  contested?: boolean | number;
  contests?: Contest[];
  victims?: number[];
  cause?: string;
  status?: string;
}
export interface Contest {
  id: number;
  incident: number;
  author: string;
  reason: string;
  time: string;
}
export interface Member {
  asn: number;
  name: string;
  country: string;
  manrs: boolean;
  overall: number | null;
  overall_max?: number | null;
  measured?: number;
  band: string;
  /** IXP reports: the member's fix list (as on its AS page, without the items). */
  fixes?: { metric: string; what: string; key?: string; args?: Record<string, unknown>; count: number }[];
}
/** A route the route server accepted although a rule says it should not have (`vigia ixp check`). */
export interface RsBadRoute {
  prefix: string;
  as_path: string;
  next_hop: string;
  peer: string;
  reasons: string[];
  detail?: string;
}
export interface RsMember {
  asn: number;
  name: string;
  routes: number;
  bad: number;
  by_reason: Record<string, number>;
  bad_routes: RsBadRoute[];
  bad_routes_truncated?: boolean;
}
export interface RsInput {
  file: string;
  format?: string;
  date: string | null;
  count?: number;
}
/** The route-server compliance report as `vigia ixp check --json` writes it and the store keeps it. */
export interface RsCheck {
  checked_at?: string;
  rib: RsInput & { routes: number; peers: number };
  members: RsInput;
  inputs: { vrps: RsInput | null; irr: RsInput[]; bogons: string };
  summary: { routes: number; accepted_bad: number; members: number; members_with_bad: number; by_reason: Record<string, number>; not_checked: string[] };
  per_member: RsMember[];
  unknown_peers: { peer: string; asn: number; routes: number }[];
}
/** One action of the MANRS IXP Programme with its evidence (or "not_measured"). */
export interface ManrsIxpAction {
  action: number;
  key: string;
  mandatory: boolean;
  status: 'met' | 'not_met' | 'partial' | 'indicator' | 'not_measured' | string;
  evidence: Record<string, unknown>;
  coverage: { measured: number; of: number; what: string } | null;
}
export interface Report {
  kind: string;
  id: string;
  name: string;
  country: string;
  region: string;
  manrs?: boolean;
  snapshot: { id: number; date: string };
  scores: Scores;
  history: ({ date: string; overall: number | null } & Record<string, unknown>)[];
  history_monthly: { month: string; overall: number | null; snapshots: number }[];
  metrics: Record<string, { value?: number | null; raw?: number; mean?: number | null; members_with_data?: number; title: string }>;
  members?: { count: number; listed: Member[] };
  coverage?: Coverage;
  routes?: { originated: number; rpki: { valid: number; invalid: number; not_found: number }; irr_registered: number };
  incidents?: Incident[];
  fixes:
    | { metric: string; what: string; key?: string; args?: Record<string, unknown>; count: number; items: string[]; metric_after: number; action_after: number; overall_after: number }[]
    | { by_kind: { metric: string; what: string; members: number; items: number }[]; overall_now: number; overall_if_all_fixed: number };
  contests?: Contest[];
  attacks?: Incident[] | { total?: number; incidents?: Incident[] };
  notes?: (string | { key?: string; args?: Record<string, unknown>; text?: string })[];
  /** IXP reports: the latest stored route-server check, null when none was stored. */
  rs_check?: RsCheck | null;
  /** IXP reports: the MANRS-for-IXPs checklist. */
  manrs_ixp?: { programme: string; members_read: number; actions: ManrsIxpAction[] };
}
export interface RankingEntity {
  id: string;
  name: string;
  country: string;
  region: string;
  manrs: boolean;
  size: number;
  overall: number | null;
  band: string;
}
export interface SearchResult {
  kind: 'as' | 'country' | 'ixp' | 'prefix' | string;
  id: string | number;
  name?: string;
  country?: string;
  origins?: number[];
}
export interface CompareEntity {
  id: string;
  name: string;
  country: string;
  region: string;
  scores: Scores;
  metrics: Record<string, number | null>;
}
