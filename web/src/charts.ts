// Apache ECharts, only the parts used. Every chart has an aria-label and a table nearby.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection } from 'geojson';
import world110Url from 'world-atlas/countries-110m.json?url';
import world50Url from 'world-atlas/countries-50m.json?url';
import { h } from './dom';
import { NAME_TO_ALPHA2, NUMERIC_TO_ALPHA2 } from './iso-numeric';
import { BAND_COLORS, bandKey, bandLabel, countryName, fmtNum } from './format';
import { t } from './i18n';

echarts.use([BarChart, LineChart, MapChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

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

window.addEventListener('resize', () => live.forEach((c) => c.resize()));

function mount(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(el, null, { renderer: 'svg' });
  chart.setOption({ aria: { enabled: true }, animation: false, textStyle: { fontFamily: 'inherit' }, ...option });
  live.push(chart);
  return chart;
}

export function chartBox(label: string, testid?: string, cls = 'chart'): HTMLElement {
  return h('div', { className: cls, role: 'img', 'aria-label': label, 'data-testid': testid });
}

/** A line chart of `overall` over time; the caller supplies the table alternative. */
export function lineChart(el: HTMLElement, xs: string[], ys: (number | null)[], name: string): echarts.ECharts {
  return mount(el, {
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: xs },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ type: 'line', name, data: ys, showSymbol: true, symbolSize: 8, lineStyle: { width: 3 }, color: '#1f4e96', connectNulls: false }],
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

// The world view uses the light 1:110m map; a region's view the 1:50m one, which has the small islands.
const worlds = new Map<string, FeatureCollection>();
async function loadWorld(url: string): Promise<FeatureCollection> {
  const cached = worlds.get(url);
  if (cached) return cached;
  const topo = (await (await fetch(url)).json()) as Topology;
  const fc = feature(topo, topo.objects.countries as GeometryCollection) as unknown as FeatureCollection;
  for (const f of fc.features) {
    const code = (f.id !== undefined && NUMERIC_TO_ALPHA2[String(f.id)]) || NAME_TO_ALPHA2[(f.properties as { name: string }).name] || '';
    (f.properties as Record<string, string>).name = code || `_${(f.properties as { name: string }).name}`;
  }
  worlds.set(url, fc);
  return fc;
}

export interface MapDatum {
  id: string;
  overall: number | null;
  band: string;
}

/** A world (or one region's) map coloured by readiness band. `focus`: the codes to zoom on. */
export async function readinessMap(el: HTMLElement, data: MapDatum[], focus: Set<string> | null): Promise<void> {
  const fc = await loadWorld(focus ? world50Url : world110Url);
  // The page may have changed while the map loaded: a detached box has no size, and ECharts then
  // builds a singular view transform (a "reading '0' of null" error in zrender's matrix code).
  if (!el.isConnected) return;
  const mapName = focus ? `world-${[...focus].sort().join('')}` : 'world';
  if (!echarts.getMap(mapName)) {
    const features = focus ? fc.features.filter((f) => focus.has((f.properties as { name: string }).name)) : fc.features.filter((f) => (f.properties as { name: string }).name !== 'AQ');
    echarts.registerMap(mapName, { type: 'FeatureCollection', features } as never);
  }
  const byId = new Map(data.map((d) => [d.id, d]));
  mount(el, {
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string }) => {
        const d = byId.get(p.name);
        const name = p.name.startsWith('_') ? p.name.slice(1) : countryName(p.name);
        return d ? `${name}: ${fmtNum(d.overall)} (${bandLabel(d.band)})` : `${name}: ${t('band.no_data')}`;
      },
    },
    series: [
      {
        type: 'map',
        map: mapName,
        roam: true,
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffd54f' } },
        select: { disabled: true },
        itemStyle: { areaColor: '#e3e6ea', borderColor: '#ffffff', borderWidth: 0.5 },
        data: data.map((d) => ({ name: d.id, value: d.overall, itemStyle: { areaColor: BAND_COLORS[bandKey(d.band)] } })),
      },
    ],
  });
}
