// Apache ECharts, only the parts used. Every chart has an aria-label and a table nearby.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, ScatterChart } from 'echarts/charts';
import { AriaComponent, GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import world50Url from 'world-atlas/countries-50m.json?url';
import { h } from './dom';
import { NAME_TO_ALPHA2, NUMERIC_TO_ALPHA2 } from './iso-numeric';
import { PARTIAL_BANDS, bandKey, bandLabel, countryName, fmtNum } from './format';
import { t, tDyn } from './i18n';

echarts.use([BarChart, LineChart, MapChart, ScatterChart, AriaComponent, GeoComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

let live: echarts.ECharts[] = [];

export function disposeChart(c: echarts.ECharts | null): void {
  if (!c) return;
  live = live.filter((x) => x !== c);
  c.dispose();
}

export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live = [];
}

// Charts whose box left the page (or has no size) are skipped: a map's view would be singular.
window.addEventListener('resize', () =>
  live.forEach((c) => {
    const dom = c.getDom();
    if (!dom?.isConnected || !dom.clientWidth || !dom.clientHeight) return;
    try {
      c.resize();
    } catch {
      /* a chart being replaced */
    }
  }),
);

function mount(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(el, null, { renderer: 'svg' });
  live.push(chart);
  // A box detached or without size (the page changed meanwhile) has a singular view transform:
  // nothing to draw, and ECharts would throw ("reading '0' of null" in zrender's matrix code).
  if (!el.isConnected || !el.clientWidth || !el.clientHeight) return chart;
  try {
    chart.setOption({ aria: { enabled: true }, animation: false, textStyle: { fontFamily: 'inherit' }, ...option });
  } catch (e) {
    if (el.isConnected && el.clientWidth) throw e;
  }
  return chart;
}

export function chartBox(label: string, testid?: string, cls = 'chart'): HTMLElement {
  return h('div', { className: cls, role: 'img', 'aria-label': label, 'data-testid': testid });
}

/** A line chart of one or more series over time; the caller supplies the table alternative. */
export function lineChart(el: HTMLElement, xs: string[], series: { name: string; data: (number | null)[] }[], opts: { max?: number | null } = {}): echarts.ECharts {
  const palette = ['#1f4e96', '#b35900', '#1a7f37', '#7b1fa2', '#1b1f24'];
  const max = opts.max === undefined ? 100 : opts.max;
  const n = series.length;
  return mount(el, {
    color: palette,
    tooltip: { trigger: 'axis' },
    legend: n > 1 ? { top: 0 } : undefined,
    grid: { left: 48, right: 16, top: n > 1 ? 36 : 16, bottom: 32 },
    xAxis: { type: 'category', data: xs },
    yAxis: max === null ? { type: 'value', scale: true } : { type: 'value', min: 0, max },
    series: series.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: s.data,
      showSymbol: true,
      symbol: ['circle', 'rect', 'triangle', 'diamond', 'pin'][i % 5],
      symbolSize: 8,
      lineStyle: { width: n > 1 && i === n - 1 ? 4 : 2, type: n > 1 && i < n - 1 ? ['solid', 'dashed', 'dotted', 'dashed'][i % 4] : 'solid' },
      connectNulls: false,
    })),
  });
}

export function barChart(el: HTMLElement, cats: string[], series: { name: string; data: (number | null)[] }[], opts: { max?: number; horizontal?: boolean } = {}): void {
  const palette = ['#1f4e96', '#b35900', '#1a7f37', '#7b1fa2', '#c62828', '#00838f', '#5d4037', '#455a64', '#ad1457', '#2e7d32'];
  const valueAxis = { type: 'value', min: 0, max: opts.max };
  const catAxis = { type: 'category', data: cats, axisLabel: { interval: 0, width: 110, overflow: 'truncate' } };
  mount(el, {
    color: palette,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: opts.horizontal ? 150 : 48, right: 16, top: series.length > 1 ? 32 : 12, bottom: 32 },
    xAxis: opts.horizontal ? valueAxis : catAxis,
    yAxis: opts.horizontal ? { ...catAxis, inverse: true } : valueAxis,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data })),
  });
}

// The map: world-atlas 1:50m (it has the small islands), without Antarctica, with every ring that
// crosses the antimeridian cut at ±180° (else the equirectangular drawing runs a stripe across the
// whole map). Countries are coloured by score on a continuous scale; the band is a second encoding
// (a pattern on the country, a marker shape); states smaller than SMALL_AREA square degrees
// (the Caribbean, ...) are drawn as markers so they can be seen and hovered.
type Ring = number[][];
type Poly = Ring[];

/** Clip a ring to the half-plane x <= edge (keep = 'le') or x >= edge ('ge'): Sutherland-Hodgman. */
function clipRing(ring: Ring, edge: number, keep: 'le' | 'ge'): Ring {
  const inside = (p: number[]) => (keep === 'le' ? p[0] <= edge : p[0] >= edge);
  const cut = (a: number[], b: number[]) => {
    const f = (edge - a[0]) / (b[0] - a[0]);
    return [edge, a[1] + f * (b[1] - a[1])];
  };
  const out: Ring = [];
  for (let i = 0; i < ring.length; i++) {
    const cur = ring[i];
    const prev = ring[(i + ring.length - 1) % ring.length];
    if (inside(cur)) {
      if (!inside(prev)) out.push(cut(prev, cur));
      out.push(cur);
    } else if (inside(prev)) out.push(cut(prev, cur));
  }
  return out;
}

function crosses(ring: Ring): boolean {
  for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) return true;
  return false;
}

/** A polygon whose rings jump across ±180°, as pieces that each stay within [-180, 180]. */
function splitAtAntimeridian(poly: Poly): Poly[] {
  if (!poly.some(crosses)) return [poly];
  // Unwrap longitudes so the rings are continuous (they then run past 180), then cut at 180.
  const unwrapped = poly.map((ring) => {
    const out: Ring = [];
    let shift = 0;
    ring.forEach((p, i) => {
      if (i > 0) {
        const d = p[0] + shift - out[i - 1][0];
        if (d > 180) shift -= 360;
        else if (d < -180) shift += 360;
      }
      out.push([p[0] + shift, p[1]]);
    });
    // Bring the ring's west end into [-180, 180).
    const minX = Math.min(...out.map((p) => p[0]));
    const k = minX < -180 ? 360 : 0;
    return out.map((p) => [p[0] + k, p[1]]);
  });
  const west = unwrapped.map((r) => clipRing(r, 180, 'le')).filter((r) => r.length >= 3);
  const east = unwrapped.map((r) => clipRing(r, 180, 'ge').map((p) => [p[0] - 360, p[1]])).filter((r) => r.length >= 3);
  return [west, east].filter((p) => p.length > 0);
}

function polygonsOf(g: Geometry | null): Poly[] {
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates as Poly];
  if (g.type === 'MultiPolygon') return g.coordinates as Poly[];
  return [];
}

function ringArea(r: Ring): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] + r[i][0]) * (r[j][1] - r[i][1]);
  return Math.abs(a / 2);
}

/** Square degrees below which a state is drawn as a marker (Jamaica ~1, Trinidad ~0.4, Barbados ~0.04). */
export const SMALL_AREA = 1.5;

interface Shape {
  features: Feature[];
  area: Map<string, number>;
  centre: Map<string, [number, number]>;
}

let worldShape: Promise<Shape> | null = null;
function loadWorld(): Promise<Shape> {
  if (worldShape) return worldShape;
  worldShape = (async () => {
    const topo = (await (await fetch(world50Url)).json()) as Topology;
    const fc = feature(topo, topo.objects.countries as GeometryCollection) as unknown as FeatureCollection;
    const features: Feature[] = [];
    const area = new Map<string, number>();
    const centre = new Map<string, [number, number]>();
    const biggestOf = new Map<string, number>();
    for (const f of fc.features) {
      const raw = (f.properties as { name: string }).name;
      const code = (f.id !== undefined && NUMERIC_TO_ALPHA2[String(f.id)]) || NAME_TO_ALPHA2[raw] || '';
      if (code === 'AQ') continue; // Antarctica: the line across the bottom, and no networks to show
      const name = code || `_${raw}`;
      const polys = polygonsOf(f.geometry).flatMap(splitAtAntimeridian);
      if (!polys.length) continue;
      let total = 0;
      let biggest = polys[0];
      let big = -1;
      for (const p of polys) {
        const a = ringArea(p[0]);
        total += a;
        if (a > big) {
          big = a;
          biggest = p;
        }
      }
      const xs = biggest[0].map((p) => p[0]);
      const ys = biggest[0].map((p) => p[1]);
      // Several features can share a code (Australia and Ashmore and Cartier Islands): add up.
      area.set(name, (area.get(name) ?? 0) + total);
      if (big > (biggestOf.get(name) ?? -1)) {
        biggestOf.set(name, big);
        centre.set(name, [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2]);
      }
      features.push({ type: 'Feature', id: f.id, properties: { name }, geometry: { type: 'MultiPolygon', coordinates: polys } });
    }
    return { features, area, centre };
  })();
  return worldShape;
}

export interface MapDatum {
  id: string;
  overall: number | null;
  band: string;
}

// A colour-blind-safe diverging scale (ColorBrewer RdYlBu, 5 classes) from 0 to 100.
const STOPS = ['#d73027', '#fc8d59', '#fee090', '#91bfdb', '#4575b4'];
export function scoreColor(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '#e3e6ea';
  const x = (Math.max(0, Math.min(100, v)) / 100) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  const c = (k: number) => Math.round(parseInt(a.slice(k, k + 2), 16) * (1 - f) + parseInt(b.slice(k, k + 2), 16) * f);
  return `#${[1, 3, 5].map((k) => c(k).toString(16).padStart(2, '0')).join('')}`;
}
export const SCALE_GRADIENT = `linear-gradient(to right, ${STOPS.join(', ')})`;

// The band as a second encoding: a pattern on the country and a marker shape.
const DECALS: Record<string, object | undefined> = {
  ready: undefined,
  aspiring: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [1, 5], rotation: Math.PI / 4, color: 'rgba(27,31,36,0.45)' },
  lagging: { symbol: 'circle', symbolSize: 0.5, dashArrayX: [[1, 4]], dashArrayY: [1, 4], color: 'rgba(27,31,36,0.55)' },
  incomplete: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [1, 2], rotation: -Math.PI / 4, color: 'rgba(255,255,255,0.8)' },
  low_coverage: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [1, 2], rotation: -Math.PI / 4, color: 'rgba(255,255,255,0.8)' },
};
export const MARKER_SHAPES: Record<string, string> = { ready: 'circle', aspiring: 'diamond', lagging: 'triangle', incomplete: 'rect', low_coverage: 'rect', no_data: 'emptyCircle' };

/** A world (or one region's) map coloured by score. `focus`: the codes to show (a region). */
export async function readinessMap(el: HTMLElement, data: MapDatum[], focus: Set<string> | null): Promise<void> {
  const shape = await loadWorld();
  // A box built before its page section is attached: wait (up to 5 s) for it.
  for (let i = 0; i < 100 && !el.isConnected; i++) await new Promise((r) => setTimeout(r, 50));
  // The page may have changed while the map loaded: a detached box has no size, and ECharts then
  // builds a singular view transform (a "reading '0' of null" error in zrender's matrix code).
  if (!el.isConnected) return;
  const mapName = focus ? `world-${[...focus].sort().join('')}` : 'world';
  const features = focus ? shape.features.filter((f) => focus.has((f.properties as { name: string }).name)) : shape.features;
  if (!features.length) return;
  if (!echarts.getMap(mapName)) echarts.registerMap(mapName, { type: 'FeatureCollection', features } as never);
  const byId = new Map(data.map((d) => [d.id, d]));
  const small = data.filter((d) => (shape.area.get(d.id) ?? Infinity) < SMALL_AREA && shape.centre.has(d.id) && (!focus || focus.has(d.id)));
  const label = (name: string) => {
    const d = byId.get(name);
    const n = name.startsWith('_') ? name.slice(1) : countryName(name);
    return d ? `${n}: ${fmtNum(d.overall)} (${bandLabel(d.band)})` : `${n}: ${t('band.no_data')}`;
  };
  el.dataset.markers = small.map((d) => d.id).join(',');
  el.dataset.features = String(features.length);
  mount(el, {
    tooltip: { trigger: 'item', formatter: (p: { name: string }) => label(p.name) },
    // An invisible geo layer, laid out exactly as the map series, carries the markers.
    geo: { map: mapName, roam: false, silent: true, z: 3, itemStyle: { areaColor: 'transparent', borderColor: 'transparent' }, emphasis: { disabled: true } },
    series: [
      {
        type: 'map',
        map: mapName,
        roam: false,
        z: 2,
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffd54f' } },
        select: { disabled: true },
        itemStyle: { areaColor: '#e3e6ea', borderColor: '#ffffff', borderWidth: 0.5 },
        data: data.map((d) => ({ name: d.id, value: d.overall, itemStyle: { areaColor: scoreColor(d.overall), decal: DECALS[bandKey(d.band)], borderColor: PARTIAL_BANDS.includes(d.band) ? '#1b1f24' : '#ffffff' } })),
      },
      {
        type: 'scatter',
        coordinateSystem: 'geo',
        geoIndex: 0,
        z: 4,
        tooltip: { formatter: (p: { name: string }) => label(p.name) },
        data: small.map((d) => ({
          name: d.id,
          value: [...(shape.centre.get(d.id) as [number, number]), d.overall ?? 0],
          symbol: MARKER_SHAPES[bandKey(d.band)] ?? 'circle',
          symbolSize: 11,
          itemStyle: { color: scoreColor(d.overall), borderColor: '#1b1f24', borderWidth: 1 },
        })),
      },
    ],
  });
}

/** The legend under a map: the colour scale and the band encodings. */
export function mapLegend(): HTMLElement {
  return h(
    'div',
    { className: 'map-legend', 'data-testid': 'map-legend' },
    h('div', { className: 'scale' }, h('span', null, '0'), h('span', { className: 'bar', style: `background:${SCALE_GRADIENT}`, 'aria-hidden': 'true' }), h('span', null, '100'), h('span', { className: 'muted' }, ' ', t('map.scale'))),
    h(
      'ul',
      { className: 'legend', 'aria-label': t('overview.legend') },
      ['ready', 'aspiring', 'lagging', 'incomplete', 'low_coverage', 'no_data'].map((b) => h('li', null, h('span', { className: `swatch sw-${b}`, 'aria-hidden': 'true' }), tDyn(`map.band.${b}`))),
    ),
    h('p', { className: 'muted small' }, t('map.small_states')),
  );
}
