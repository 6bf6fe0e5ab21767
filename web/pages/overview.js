// Overview: total load now, the adjustable band, active demands/instructions, open alarms; tables
// by operator and by area; today's aggregated curve (load, down and up potential per minute).

import { api } from '../app.js';
import { t } from '../i18n.js';
import { h, table, fmt, fmtInt, chart, minuteLabels, field } from '../ui.js';

function card(id, label, value, sub) {
  return h('div', { class: 'card', id }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value), sub ? h('div', { class: 'card-sub' }, sub) : null);
}

function totalsTable(id, keyLabel, rows, withName) {
  const cols = [{ label: keyLabel, cell: (r) => r.key }];
  if (withName) cols.push({ label: t('common.name'), cell: (r) => r.name || '' });
  cols.push(
    { label: t('col.stations'), cell: (r) => fmtInt(r.stations), class: 'num' },
    { label: t('col.load'), cell: (r) => fmt(r.load_kw), class: 'num' },
    { label: t('col.bottom'), cell: (r) => fmt(r.bottom_kw), class: 'num' },
    { label: t('col.top'), cell: (r) => fmt(r.top_kw), class: 'num' },
    { label: t('col.down'), cell: (r) => fmt(r.down_kw), class: 'num' },
    { label: t('col.up'), cell: (r) => fmt(r.up_kw), class: 'num' },
  );
  return table(cols, rows, { id });
}

export async function render(root, args, query, ctx) {
  const digits = ['2', '4', '6'].includes(query.get('area_digits')) ? query.get('area_digits') : '2';
  const [ov, curve] = await Promise.all([api('GET', '/api/v1/overview?area_digits=' + digits), api('GET', '/api/v1/overview/curve')]);
  if (!ctx.alive()) return;
  const tot = ov.total;
  const digitSel = h(
    'select',
    { id: 'area-digits', onchange: (e) => (location.hash = '#/overview?area_digits=' + e.target.value) },
    ['2', '4', '6'].map((d) => h('option', { value: d, selected: d === digits }, t('ov.digits' + d))),
  );
  const chartEl = h('div', { class: 'chart', id: 'overview-chart' });
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('ov.title')), h('span', { class: 'muted' }, t('ov.at', { at: ov.at }))),
    h(
      'div',
      { class: 'cards' },
      card('card-load', t('ov.load'), fmt(tot.load_kw) + ' kW'),
      card('card-band', t('ov.band'), fmt(tot.down_kw) + ' / ' + fmt(tot.up_kw) + ' kW', t('ov.range', { bottom: fmt(tot.bottom_kw), top: fmt(tot.top_kw) })),
      card('card-demands', t('ov.demands'), fmtInt(ov.demands_active)),
      card('card-instructions', t('ov.instructions'), fmtInt(ov.instructions_active)),
      card('card-alarms', t('ov.alarms'), fmtInt(ov.alarms_open)),
    ),
    h('section', { class: 'panel' }, h('h3', null, t('ov.curve') + ' · ' + curve.day), chartEl),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h3', null, t('ov.by_operator')), totalsTable('by-operator', t('ov.key_operator'), ov.by_operator, true)),
      h('section', { class: 'panel' }, h('div', { class: 'panel-head' }, h('h3', null, t('ov.by_area')), field(t('ov.area_digits'), digitSel)),
        totalsTable('by-area', t('ov.key_area'), ov.by_area, false)),
    ),
  );
  const c = chart(chartEl);
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [t('series.load'), t('series.down'), t('series.up')] },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: minuteLabels(), axisLabel: { interval: 119 } },
    yAxis: { type: 'value', name: 'kW' },
    series: [
      { name: t('series.load'), type: 'line', showSymbol: false, data: curve.load_kw },
      { name: t('series.down'), type: 'line', showSymbol: false, data: curve.down_kw, lineStyle: { type: 'dashed' } },
      { name: t('series.up'), type: 'line', showSymbol: false, data: curve.up_kw, lineStyle: { type: 'dashed' } },
    ],
  });
  return () => c.dispose();
}
