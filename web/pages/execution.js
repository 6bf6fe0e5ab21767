// Execution: for one demand, per window and operator the target (allocated), the accepted share
// and what was delivered (measured: baseline minus actual for peak shaving, actual minus baseline
// for valley filling), as a chart and a table; below them the live view from
// GET /api/v1/demands/{task}/execution: per accepted window and operator, target load, baseline and
// actual minute by minute so far. Everything is refreshed every 5 s while the page is open.

import { api } from '../app.js';
import { t } from '../i18n.js';
import { h, engineEl, table, fmt, chart, field } from '../ui.js';
import { insState } from './demands.js';

const REFRESH_MS = 5000;

function sumFor(ws, start) {
  let s = 0;
  let any = false;
  for (const w of ws || []) {
    if (w.start === start) {
      s += w.target_kw;
      any = true;
    }
  }
  return any ? s : null;
}

// One row per (window of the demand, operator with an instruction).
export function executionRows(d) {
  const rows = [];
  for (const w of d.windows) {
    for (const i of d.instructions_list) {
      if (i.state === 'superseded') continue;
      const target = sumFor(i.allocated, w.start);
      if (target === null) continue;
      const m = i.measured.find((x) => x.start === w.start) || null;
      const delivered = m ? (d.type === 'valley' ? m.actual_kw - m.baseline_kw : m.baseline_kw - m.actual_kw) : null;
      rows.push({ start: w.start, window: w.start + '–' + w.end.slice(-5), operator: i.operator_id, state: i.state, target, accepted: sumFor(i.accepted, w.start) ?? 0, delivered, m });
    }
  }
  return rows;
}

// 'yyyy-MM-dd HH:mm' plus n minutes, same form (the strings are Beijing time; UTC arithmetic
// keeps the browser's own zone out of it).
function addMinutes(minute, n) {
  const d = new Date(minute.replace(' ', 'T') + ':00Z');
  d.setUTCMinutes(d.getUTCMinutes() + n);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

// Every minute label (HH:mm) of a window, so that the axis shows the whole window and the lines
// grow across it as minutes arrive.
function windowMinutes(start, end) {
  const out = [];
  for (let m = start; m <= end && out.length < 1440; m = addMinutes(m, 1)) out.push(m);
  return out;
}

const traceKey = (tr) => tr.operator_id + '|' + tr.start;

// The load the operator should be at: below the baseline by the target when shaving a peak,
// above it when filling a valley.
export function targetLoad(type, baseline, target) {
  if (baseline === null || baseline === undefined) return null;
  return Math.round((type === 'valley' ? baseline + target : baseline - target) * 100) / 100;
}

function traceOption(x, tr) {
  const names = [t('ex.target_load'), t('ex.baseline'), t('ex.actual')];
  const mins = tr.minutes;
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: names },
    grid: { left: 60, right: 24, top: 36, bottom: 30 },
    xAxis: { type: 'category', boundaryGap: false, data: windowMinutes(tr.start, tr.end).map((m) => m.slice(11)) },
    // Room below and above the lines, so that the target line never sits on the axis.
    yAxis: { type: 'value', name: 'kW', min: (v) => Math.max(0, Math.floor((v.min - 50) / 50) * 50), max: (v) => Math.ceil((v.max + 50) / 50) * 50 },
    series: [
      { name: names[0], type: 'line', showSymbol: false, lineStyle: { type: 'dashed', width: 2 }, color: '#c0392b',
        data: mins.map((m) => targetLoad(x.type, m.baseline_kw, tr.target_kw)) },
      { name: names[1], type: 'line', showSymbol: false, color: '#7f8c8d', data: mins.map((m) => m.baseline_kw) },
      { name: names[2], type: 'line', showSymbol: false, color: '#2471a3', data: mins.map((m) => m.actual_kw) },
    ],
  };
}

function traceFacts(tr) {
  const n = tr.minutes.length;
  return h('dl', { class: 'facts' },
    h('dt', null, t('ex.target')), h('dd', { class: 'trace-target' }, fmt(tr.target_kw)),
    h('dt', null, t('ex.reference')), tr.reference ? engineEl('dd', { class: 'trace-reference' }, tr.reference) : h('dd', { class: 'trace-reference' }, t('ex.reference_pending')),
    h('dt', null, t('ex.response_avg')), h('dd', { class: 'trace-response' }, fmt(tr.response_avg_kw)),
    h('dt', null, t('ex.completion_live')), h('dd', { class: 'trace-completion' }, fmt(tr.completion_percent, 1)),
    h('dt', null, t('ex.progress')), h('dd', { class: 'trace-progress' }, n ? t('ex.minutes_so_far', { n, last: tr.minutes[n - 1].minute.slice(11) }) : '—'));
}

// The live panels: one per trace, a chart when the window has minutes, else a "not started" note.
// Panels (and charts) are kept across refreshes while the set of traces and their started-ness stay
// the same, so a refresh only moves the lines.
function liveView(slot) {
  let panels = new Map();
  let shape = null;
  const disposeAll = () => {
    for (const p of panels.values()) if (p.chart) p.chart.dispose();
    panels = new Map();
  };
  const paint = (x, err) => {
    if (err || !x) {
      disposeAll();
      shape = null;
      slot.replaceChildren(h('p', { class: 'muted', id: 'exec-live-error' }, t('ex.live_unavailable', { error: err ? err.message : '—' })));
      return;
    }
    if (!x.traces.length) {
      disposeAll();
      shape = null;
      slot.replaceChildren(h('p', { class: 'muted', id: 'exec-live-none' }, t('ex.live_none')));
      return;
    }
    const nextShape = x.traces.map((tr) => traceKey(tr) + (tr.minutes.length ? '+' : '-')).join(',');
    if (nextShape !== shape) {
      disposeAll();
      shape = nextShape;
      const els = [];
      for (const tr of x.traces) {
        const facts = h('div', { class: 'trace-facts' });
        const head = h('div', { class: 'panel-head' }, h('h4', null, tr.operator_id + ' · ' + tr.start + '–' + tr.end.slice(-5)), h('span', { class: 'trace-state' }));
        const started = tr.minutes.length > 0;
        const chartEl = started ? h('div', { class: 'chart exec-trace-chart' }) : null;
        const note = started ? null : h('p', { class: 'muted exec-not-started' });
        const el = h('div', { class: 'exec-trace', dataset: { operator: tr.operator_id, start: tr.start } }, head, facts, chartEl, note);
        els.push(el);
        panels.set(traceKey(tr), { el, head, facts, note, chartEl, chart: null });
      }
      slot.replaceChildren(...els);
      for (const p of panels.values()) if (p.chartEl) p.chart = chart(p.chartEl);
    }
    for (const tr of x.traces) {
      const p = panels.get(traceKey(tr));
      p.el.dataset.points = String(tr.minutes.length);
      p.head.lastChild.replaceChildren(insState(tr.state));
      p.facts.replaceChildren(traceFacts(tr));
      if (p.note) p.note.textContent = t('ex.not_started', { start: tr.start });
      if (p.chart) p.chart.setOption(traceOption(x, tr), true);
    }
  };
  return { paint, dispose: disposeAll };
}

export async function render(root, args, query, ctx) {
  const list = await api('GET', '/api/v1/demands?limit=50');
  if (!ctx.alive()) return;
  if (!list.length) {
    root.replaceChildren(h('div', { class: 'page-head' }, h('h2', null, t('ex.title'))), h('p', { class: 'muted', id: 'exec-none' }, t('ex.none')));
    return;
  }
  const wanted = query.get('task');
  const pick = list.find((d) => d.task_id === wanted) || list.find((d) => d.state === 'dispatched') || list[0];
  const sel = h('select', { id: 'exec-demand', onchange: (e) => (location.hash = '#/execution?task=' + encodeURIComponent(e.target.value)) },
    list.map((d) => h('option', { value: d.task_id, selected: d.task_id === pick.task_id }, d.task_id + ' · ' + t('dm.type.' + d.type) + ' · ' + t('dm.state.' + d.state))));
  const chartEl = h('div', { class: 'chart', id: 'exec-chart' });
  const tableSlot = h('div', { id: 'exec-table-slot' });
  const liveSlot = h('div', { id: 'exec-live' });
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('ex.title')), field(t('ex.demand'), sel), h('span', { class: 'muted' }, t('ex.live')),
      h('a', { class: 'btn link', href: '#/demands/' + encodeURIComponent(pick.task_id) }, t('dm.detail'))),
    h('section', { class: 'panel' }, chartEl),
    h('section', { class: 'panel' }, tableSlot),
    h('section', { class: 'panel' }, h('h3', null, t('ex.live_title')), liveSlot),
  );
  const c = chart(chartEl);
  const live = liveView(liveSlot);
  const path = '/api/v1/demands/' + encodeURIComponent(pick.task_id);
  // The live route is read quietly: without it the page still shows the measured table.
  const getLive = (quiet) => api('GET', path + '/execution', undefined, { quiet }).then((x) => [x, null], (e) => [null, e]);
  const paint = (d, x) => {
    const rows = executionRows(d);
    const byKey = new Map(((x && x.traces) || []).map((tr) => [traceKey(tr), tr]));
    const traceOf = (r) => byKey.get(r.operator + '|' + r.start) || null;
    const cats = rows.map((r) => r.operator + '\n' + r.window.slice(11));
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('ex.target'), t('ex.accepted'), t('ex.delivered'), t('ex.completion')] },
      grid: { left: 60, right: 60, top: 40, bottom: 50 },
      xAxis: { type: 'category', data: cats },
      yAxis: [{ type: 'value', name: 'kW' }, { type: 'value', name: '%', max: (v) => Math.max(100, Math.ceil(v.max)) }],
      series: [
        { name: t('ex.target'), type: 'bar', data: rows.map((r) => r.target) },
        { name: t('ex.accepted'), type: 'bar', data: rows.map((r) => r.accepted) },
        { name: t('ex.delivered'), type: 'bar', data: rows.map((r) => r.delivered) },
        { name: t('ex.completion'), type: 'line', yAxisIndex: 1, data: rows.map((r) => (r.m ? r.m.completion_percent : null)) },
      ],
    }, true);
    tableSlot.replaceChildren(table(
      [
        { label: t('ex.window'), cell: (r) => r.window },
        { label: t('op.id'), cell: (r) => r.operator },
        { label: t('common.state'), cell: (r) => insState(r.state) },
        { label: t('ex.target'), cell: (r) => fmt(r.target), class: 'num' },
        { label: t('ex.accepted'), cell: (r) => fmt(r.accepted), class: 'num' },
        { label: t('ex.baseline'), cell: (r) => (r.m ? fmt(r.m.baseline_kw) : '—'), class: 'num' },
        { label: t('ex.actual'), cell: (r) => (r.m ? fmt(r.m.actual_kw) : '—'), class: 'num' },
        { label: t('ex.delivered'), cell: (r) => (r.delivered === null ? t('ex.not_measured') : fmt(r.delivered)), class: 'num' },
        { label: t('ex.completion'), cell: (r) => (r.m ? fmt(r.m.completion_percent, 1) : '—'), class: 'num' },
        { label: t('ex.response_avg'), cell: (r) => fmt(traceOf(r) && traceOf(r).response_avg_kw), class: 'num live-response' },
        { label: t('ex.completion_live'), cell: (r) => fmt(traceOf(r) && traceOf(r).completion_percent, 1), class: 'num live-completion' },
      ],
      rows, { id: 'exec-table', rowAttrs: (r) => ({ dataset: { operator: r.operator, start: r.start } }) }));
  };
  const [d0, [x0, e0]] = await Promise.all([api('GET', path), getLive(true)]);
  if (!ctx.alive()) return;
  paint(d0, x0);
  live.paint(x0, e0);
  let stopped = false;
  const timer = setInterval(async () => {
    try {
      const [d, [x, e]] = await Promise.all([api('GET', path, undefined, { quiet: true }), getLive(true)]);
      if (stopped || !ctx.alive()) return;
      paint(d, x);
      live.paint(x, e);
    } catch (e) {
      /* next tick */
    }
  }, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    c.dispose();
    live.dispose();
  };
}
