// Operators and stations: operators with model sync and 24 h data quality (red below the 95 %
// floor), stations with search and paging, and one station's stakes and 1440-minute curve
// (#/operators/station/OPERATOR/CODE).

import { api } from '../app.js';
import { t } from '../i18n.js';
import { h, table, fmt, fmtInt, chart, minuteLabels, field, badge } from '../ui.js';

const PAGE_SIZE = 20;

function stationState(s) {
  const key = 'state.station.' + s;
  const v = t(key);
  return v === key ? String(s) : v;
}

function hashFor(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return '#/operators' + (s ? '?' + s : '');
}

export async function render(root, args, query, ctx) {
  if (args[0] === 'station' && args.length >= 3) return renderStation(root, args[1], args[2], query, ctx);
  const operator = query.get('operator') || '';
  const q = query.get('q') || '';
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const sp = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  if (operator) sp.set('operator', operator);
  if (q) sp.set('q', q);
  const [ops, st] = await Promise.all([api('GET', '/api/v1/operators'), api('GET', '/api/v1/stations?' + sp)]);
  if (!ctx.alive()) return;

  const opTable = table(
    [
      { label: t('op.id'), cell: (o) => h('a', { href: hashFor({ operator: o.operator_id }) }, o.operator_id) },
      { label: t('common.name'), cell: (o) => o.name },
      { label: t('common.enabled'), cell: (o) => (o.enabled ? t('common.yes') : t('common.no')) },
      { label: t('col.stations'), cell: (o) => fmtInt(o.stations), class: 'num' },
      { label: t('op.stakes'), cell: (o) => fmtInt(o.stakes), class: 'num' },
      { label: t('op.reporting'), cell: (o) => fmtInt(o.stations_reporting), class: 'num' },
      {
        label: t('op.quality'),
        class: 'num',
        cell: (o) => {
          const low = !o.quality_ok || o.quality_24h_percent < 95;
          return h('span', { class: low ? 'bad quality' : 'good quality', title: low ? t('op.quality_low') : null }, fmt(o.quality_24h_percent, 1) + ' %');
        },
      },
    ],
    ops,
    { id: 'operators-table', rowAttrs: (o) => ({ class: o.operator_id === operator ? 'selected' : null }) },
  );

  const search = h('input', { id: 'station-search', type: 'search', value: q, placeholder: t('op.search_ph') });
  const opSel = h('select', { id: 'station-operator' }, h('option', { value: '' }, t('common.all')),
    ops.map((o) => h('option', { value: o.operator_id, selected: o.operator_id === operator }, o.operator_id + ' ' + o.name)));
  const submit = (e) => {
    e.preventDefault();
    location.hash = hashFor({ operator: opSel.value, q: search.value.trim() });
  };
  const pages = Math.max(1, Math.ceil(st.total / st.page_size));
  const stTable = table(
    [
      { label: t('op.id'), cell: (s) => s.operator_id },
      { label: t('st.code'), cell: (s) => h('a', { href: '#/operators/station/' + encodeURIComponent(s.operator_id) + '/' + encodeURIComponent(s.station_code) }, s.station_code) },
      { label: t('common.name'), cell: (s) => s.name },
      { label: t('st.area'), cell: (s) => s.area_code },
      { label: t('common.state'), cell: (s) => stationState(s.state) },
      { label: t('op.stakes'), cell: (s) => fmtInt(s.stakes), class: 'num' },
      { label: t('st.rated'), cell: (s) => fmt(s.rated_kw), class: 'num' },
      { label: t('st.latest'), cell: (s) => (s.latest ? fmt(s.latest.kw) : '—'), class: 'num' },
      { label: t('st.latest_at'), cell: (s) => (s.latest ? s.latest.at : '—') },
    ],
    st.items,
    { id: 'stations-table' },
  );
  const pager = h('div', { class: 'pager' },
    h('button', { class: 'btn', id: 'page-prev', disabled: page <= 1, onclick: () => (location.hash = hashFor({ operator, q, page: String(page - 1) })) }, t('common.prev')),
    h('span', { id: 'page-info' }, t('common.page', { page: st.page, pages, total: fmtInt(st.total) })),
    h('button', { class: 'btn', id: 'page-next', disabled: page >= pages, onclick: () => (location.hash = hashFor({ operator, q, page: String(page + 1) })) }, t('common.next')),
  );
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('op.title'))),
    h('section', { class: 'panel' }, opTable),
    h('section', { class: 'panel' },
      h('h3', null, t('op.stations_title')),
      h('form', { class: 'toolbar', id: 'station-filter', onsubmit: submit }, field(t('op.filter_operator'), opSel), field(t('common.search'), search),
        h('button', { class: 'btn primary', type: 'submit', id: 'station-search-submit' }, t('common.search'))),
      stTable,
      pager,
    ),
  );
}

async function renderStation(root, operator, code, query, ctx) {
  const chosen = /^\d{4}-\d{2}-\d{2}$/.test(query.get('day') || '') ? query.get('day') : '';
  const base = '/api/v1/stations/' + encodeURIComponent(operator) + '/' + encodeURIComponent(code);
  const st = await api('GET', base);
  let curve = null;
  try {
    curve = await api('GET', base + '/curve' + (chosen ? '?day=' + chosen : ''), undefined, { quiet: true });
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  if (!ctx.alive()) return;
  const day = curve ? curve.day : chosen;
  const dayInput = h('input', { type: 'date', id: 'curve-day', value: day,
    onchange: (e) => (location.hash = '#/operators/station/' + encodeURIComponent(operator) + '/' + encodeURIComponent(code) + '?day=' + e.target.value) });
  const chartEl = h('div', { class: 'chart', id: 'station-chart' });
  const info = h('dl', { class: 'facts' },
    [
      [t('op.id'), st.operator_id], [t('st.code'), st.station_code], [t('common.name'), st.name], [t('st.area'), st.area_code],
      [t('st.address'), st.address], [t('st.credit'), st.credit_code], [t('common.state'), stationState(st.state)],
      [t('op.stakes'), fmtInt(st.stakes)], [t('st.rated'), fmt(st.rated_kw)],
      [t('st.latest'), st.latest ? fmt(st.latest.kw) + ' (' + st.latest.at + ')' : '—'],
    ].map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  const stakes = table(
    [
      { label: t('stake.code'), cell: (s) => s.code },
      { label: t('stake.type'), cell: (s) => String(s.type) },
      { label: t('common.state'), cell: (s) => String(s.state) },
      { label: t('st.rated'), cell: (s) => fmt(s.rated_kw), class: 'num' },
      { label: t('col.top'), cell: (s) => fmt(s.top_kw), class: 'num' },
      { label: t('col.bottom'), cell: (s) => fmt(s.bottom_kw), class: 'num' },
      { label: t('stake.retired'), cell: (s) => (s.retired ? badge(t('common.yes'), 'muted') : t('common.no')) },
    ],
    st.stakes_list,
    { id: 'stakes-table' },
  );
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('a', { href: '#/operators?operator=' + encodeURIComponent(operator), class: 'btn link' }, '← ' + t('common.back')),
      h('h2', null, st.name + ' · ' + st.station_code)),
    h('section', { class: 'panel' }, info),
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h3', null, t('st.curve')), field(t('common.day'), dayInput)),
      curve ? h('p', { class: 'muted', id: 'curve-present' }, t('st.present', { n: curve.present_minutes })) : h('p', { class: 'muted', id: 'curve-present' }, t('st.no_data')),
      chartEl),
    h('section', { class: 'panel' }, h('h3', null, t('st.stakes_title')), stakes),
  );
  const c = chart(chartEl);
  const flat = (v) => new Array(1440).fill(v);
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [t('series.load'), t('series.top'), t('series.bottom')] },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: minuteLabels(), axisLabel: { interval: 119 } },
    yAxis: { type: 'value', name: 'kW' },
    series: curve
      ? [
          { name: t('series.load'), type: 'line', showSymbol: false, connectNulls: false, data: curve.kw },
          { name: t('series.top'), type: 'line', showSymbol: false, lineStyle: { type: 'dashed' }, data: flat(curve.top_kw) },
          { name: t('series.bottom'), type: 'line', showSymbol: false, lineStyle: { type: 'dashed' }, data: flat(curve.bottom_kw) },
        ]
      : [],
  });
  return () => c.dispose();
}
