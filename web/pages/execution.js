// Execution: for one demand, per window and operator the target (allocated), the accepted share
// and what was delivered (measured: baseline minus actual for peak shaving, actual minus baseline
// for valley filling), as a chart and a table, refreshed every 5 s.

import { api } from '../app.js';
import { t } from '../i18n.js';
import { h, table, fmt, chart, field } from '../ui.js';
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
      rows.push({ window: w.start + '–' + w.end.slice(-5), operator: i.operator_id, state: i.state, target, accepted: sumFor(i.accepted, w.start) ?? 0, delivered, m });
    }
  }
  return rows;
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
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('ex.title')), field(t('ex.demand'), sel), h('span', { class: 'muted' }, t('ex.live')),
      h('a', { class: 'btn link', href: '#/demands/' + encodeURIComponent(pick.task_id) }, t('dm.detail'))),
    h('section', { class: 'panel' }, chartEl),
    h('section', { class: 'panel' }, tableSlot),
  );
  const c = chart(chartEl);
  const path = '/api/v1/demands/' + encodeURIComponent(pick.task_id);
  const paint = (d) => {
    const rows = executionRows(d);
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
      ],
      rows, { id: 'exec-table' }));
  };
  paint(await api('GET', path));
  const timer = setInterval(async () => {
    try {
      const d = await api('GET', path, undefined, { quiet: true });
      if (ctx.alive()) paint(d);
    } catch (e) {
      /* next tick */
    }
  }, REFRESH_MS);
  return () => {
    clearInterval(timer);
    c.dispose();
  };
}
