// Reports (seed 002 §4.9, 003 §7.2.2): a day's, month's or year's load, response and settlement
// (GET /api/v1/reports), with a chart of the period's energy per hour, day or month, a CSV export
// link and a print-friendly layout (the filter, nav and buttons are not printed; tables are).
// #/reports?period=day|month|year&date=...&operator=OP

import { api, serverNow } from '../app.js';
import { t } from '../i18n.js';
import { h, table, fmt, fmtInt, chart, field } from '../ui.js';

const PERIODS = ['day', 'month', 'year'];

// The `date` a period takes, cut from a day 'yyyy-MM-dd'.
function dateFor(period, day) {
  return period === 'year' ? day.slice(0, 4) : period === 'month' ? day.slice(0, 7) : day.slice(0, 10);
}

function fmtOr(v, digits = 2) {
  return v === null || v === undefined ? '—' : fmt(v, digits);
}

export async function render(root, args, query, ctx) {
  const period = PERIODS.includes(query.get('period')) ? query.get('period') : 'day';
  const today = (await serverNow()).slice(0, 10);
  const date = query.get('date') || dateFor(period, today);
  const operator = query.get('operator') || '';
  const sp = new URLSearchParams({ period, date });
  if (operator) sp.set('operator', operator);
  const [ops, rep] = await Promise.all([api('GET', '/api/v1/operators'), api('GET', '/api/v1/reports?' + sp)]);
  if (!ctx.alive()) return;
  const csv = new URLSearchParams(sp);
  csv.set('format', 'csv');

  const periodSel = h('select', { id: 'rp-period' }, PERIODS.map((p) => h('option', { value: p, selected: p === period }, t('rp.period.' + p))));
  const input = (p, value) =>
    p === 'day' ? h('input', { type: 'date', id: 'rp-date', value, max: today })
      : p === 'month' ? h('input', { type: 'month', id: 'rp-date', value, max: today.slice(0, 7) })
        : h('input', { type: 'number', id: 'rp-date', value, min: 2000, max: today.slice(0, 4), step: 1 });
  let dateIn = input(period, date);
  const dateField = field(t('rp.date'), dateIn);
  periodSel.addEventListener('change', () => {
    const v = String(dateIn.value);
    const day = v.length === 10 ? v : v.length === 7 ? v + '-01' : v.length === 4 ? v + '-01-01' : today;
    const next = input(periodSel.value, dateFor(periodSel.value, day));
    dateIn.replaceWith(next);
    dateIn = next;
  });
  const opSel = h('select', { id: 'rp-operator' }, h('option', { value: '' }, t('common.all')),
    ops.map((o) => h('option', { value: o.operator_id, selected: o.operator_id === operator }, o.operator_id + ' ' + o.name)));

  const loadRows = [...rep.load.by_operator, { ...rep.load.total, name: t('rp.total') }];
  const loadTable = table([
    { label: t('op.id'), cell: (l) => (l.operator_id === 'total' ? t('rp.total') : l.operator_id) },
    { label: t('common.name'), cell: (l) => (l.operator_id === 'total' ? '' : l.name) },
    { label: t('rp.energy'), cell: (l) => fmt(l.energy_kwh), class: 'num' },
    { label: t('rp.peak'), cell: (l) => fmtOr(l.peak_kw), class: 'num' },
    { label: t('rp.peak_at'), cell: (l) => l.peak_at || '—' },
    { label: t('rp.valley'), cell: (l) => fmtOr(l.valley_kw), class: 'num' },
    { label: t('rp.valley_at'), cell: (l) => l.valley_at || '—' },
    { label: t('rp.average'), cell: (l) => fmt(l.average_kw), class: 'num' },
    { label: t('rp.quality'), cell: (l) => fmt(l.data_quality_percent, 1), class: 'num' },
  ], loadRows, { id: 'report-load' });

  const rt = rep.response.total;
  const responseTable = table([
    { label: t('se.task'), cell: (d) => d.task_id },
    { label: t('rp.type'), cell: (d) => (d.type ? t('rp.type.' + d.type) : '') },
    { label: t('common.state'), cell: (d) => (d.state ? t('dm.state.' + d.state) : '') },
    { label: t('rp.start'), cell: (d) => d.start },
    { label: t('se.target_kwh'), cell: (d) => fmt(d.target_kwh), class: 'num' },
    { label: t('rp.accepted'), cell: (d) => fmt(d.accepted_kwh), class: 'num' },
    { label: t('se.delivered_kwh'), cell: (d) => fmt(d.delivered_kwh), class: 'num' },
    { label: t('rp.completion'), cell: (d) => fmtOr(d.completion_percent, 1), class: 'num' },
  ], [...rep.response.demands, { task_id: t('rp.total_demands', { n: fmtInt(rt.demands) }), type: '', state: '', start: '', ...rt }],
  { id: 'report-response' });

  const name = (id) => (ops.find((o) => o.operator_id === id) || {}).name || '';
  const settleTable = table([
    { label: t('op.id'), cell: (x) => (x.operator_id === 'total' ? t('rp.total') : x.operator_id) },
    { label: t('common.name'), cell: (x) => (x.operator_id === 'total' ? '' : name(x.operator_id)) },
    { label: t('dm.instructions'), cell: (x) => fmtInt(x.instructions), class: 'num' },
    { label: t('se.target_kwh'), cell: (x) => fmt(x.target_kwh), class: 'num' },
    { label: t('se.delivered_kwh'), cell: (x) => fmt(x.delivered_kwh), class: 'num' },
    { label: t('se.payments'), cell: (x) => fmt(x.payments_yuan), class: 'num' },
    { label: t('se.penalties'), cell: (x) => fmt(x.penalties_yuan), class: 'num' },
    { label: t('se.earnings'), cell: (x) => fmt(x.earnings_yuan), class: 'num' },
  ], [...rep.settlement.by_operator, rep.settlement.total], { id: 'report-settlement' });

  const chartEl = h('div', { class: 'chart report-chart', id: 'report-chart' });
  const scope = rep.operator ? rep.operator + ' ' + name(rep.operator) : t('common.all');
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('rp.title')),
      h('a', { class: 'btn no-print', id: 'report-csv', href: '/api/v1/reports?' + csv, download: 'vgi-report-' + period + '-' + date + '.csv' }, t('se.csv')),
      h('button', { class: 'btn no-print', id: 'report-print', type: 'button', onclick: () => window.print() }, t('common.print'))),
    h('form', { class: 'panel toolbar no-print', id: 'rp-filter', onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams({ period: periodSel.value, date: String(dateIn.value) });
      if (opSel.value) q.set('operator', opSel.value);
      location.hash = '#/reports?' + q;
    } },
    field(t('rp.period'), periodSel), dateField, field(t('op.filter_operator'), opSel),
    h('button', { class: 'btn primary', type: 'submit', id: 'rp-submit' }, t('se.query'))),
    h('section', { class: 'panel report-head', id: 'report-head' },
      h('h3', null, t('rp.heading', { period: t('rp.period.' + rep.period), from: rep.from, to: rep.to })),
      h('p', null, t('rp.scope', { scope }))),
    h('section', { class: 'panel report-section' }, h('h3', null, t('rp.load')), chartEl, loadTable),
    h('section', { class: 'panel report-section' }, h('h3', null, t('rp.response')), responseTable),
    h('section', { class: 'panel report-section' }, h('h3', null, t('rp.settlement')), settleTable),
  );
  const c = chart(chartEl);
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 70, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: rep.load.series.map((p) => p.label) },
    yAxis: { type: 'value', name: 'kWh' },
    series: [{ name: t('rp.energy'), type: 'bar', data: rep.load.series.map((p) => p.energy_kwh), itemStyle: { color: '#2f6fb0' } }],
  });
  // The chart is a canvas: let it take the printed page's width before printing.
  const beforePrint = () => c.resize({ width: 680 });
  const afterPrint = () => c.resize();
  window.addEventListener('beforeprint', beforePrint);
  window.addEventListener('afterprint', afterPrint);
  return () => {
    window.removeEventListener('beforeprint', beforePrint);
    window.removeEventListener('afterprint', afterPrint);
    c.dispose();
  };
}
