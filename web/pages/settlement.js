// Settlement: statements per operator and day or month with a CSV export link, and one statement
// opened with its settlement rows in a print-friendly view (#/settlement?...&open=OP|PERIOD).

import { api, serverNow } from '../app.js';
import { t } from '../i18n.js';
import { h, table, fmt, fmtInt, field } from '../ui.js';

function monthStart(day) {
  return day.slice(0, 8) + '01';
}

// The day range a statement's period covers: 'yyyy-MM-dd' or 'yyyy-MM'.
function periodRange(period) {
  if (/^\d{4}-\d{2}$/.test(period)) {
    const [y, m] = period.split('-').map(Number);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return [period + '-01', period + '-' + String(last).padStart(2, '0')];
  }
  return [period, period];
}

export async function render(root, args, query, ctx) {
  const period = query.get('period') === 'month' ? 'month' : 'day';
  const operator = query.get('operator') || '';
  const now = query.get('from') && query.get('to') ? '' : (await serverNow()).slice(0, 10);
  const from = query.get('from') || monthStart(now);
  const to = query.get('to') || now;
  const open = query.get('open') || '';
  const sp = new URLSearchParams({ period, from, to });
  if (operator) sp.set('operator', operator);
  const [ops, statements] = await Promise.all([api('GET', '/api/v1/operators'), api('GET', '/api/v1/statements?' + sp)]);
  if (!ctx.alive()) return;
  const csv = new URLSearchParams(sp);
  csv.set('format', 'csv');

  const periodSel = h('select', { id: 'se-period' }, ['day', 'month'].map((p) => h('option', { value: p, selected: p === period }, t('se.period.' + p))));
  const opSel = h('select', { id: 'se-operator' }, h('option', { value: '' }, t('common.all')),
    ops.map((o) => h('option', { value: o.operator_id, selected: o.operator_id === operator }, o.operator_id + ' ' + o.name)));
  const fromIn = h('input', { type: 'date', id: 'se-from', value: from });
  const toIn = h('input', { type: 'date', id: 'se-to', value: to });
  const hashWith = (extra) => {
    const q = new URLSearchParams({ period: periodSel.value, from: fromIn.value, to: toIn.value });
    if (opSel.value) q.set('operator', opSel.value);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return '#/settlement?' + q;
  };
  const current = (extra) => {
    const q = new URLSearchParams(sp);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return '#/settlement?' + q;
  };
  const name = (id) => (ops.find((o) => o.operator_id === id) || {}).name || '';

  const list = table(
    [
      { label: t('op.id'), cell: (s) => s.operator_id },
      { label: t('common.name'), cell: (s) => name(s.operator_id) },
      { label: t('se.period_col'), cell: (s) => s.period },
      { label: t('dm.instructions'), cell: (s) => fmtInt(s.instructions), class: 'num' },
      { label: t('se.target_kwh'), cell: (s) => fmt(s.target_kwh), class: 'num' },
      { label: t('se.delivered_kwh'), cell: (s) => fmt(s.delivered_kwh), class: 'num' },
      { label: t('se.paid_kwh'), cell: (s) => fmt(s.paid_kwh), class: 'num' },
      { label: t('se.payments'), cell: (s) => fmt(s.payments_yuan), class: 'num' },
      { label: t('se.penalties'), cell: (s) => fmt(s.penalties_yuan), class: 'num' },
      { label: t('se.earnings'), cell: (s) => fmt(s.earnings_yuan), class: 'num' },
      { label: t('common.actions'), class: 'no-print', cell: (s) => h('a', { class: 'btn link open-statement', href: current({ open: s.operator_id + '|' + s.period }) }, t('se.open')) },
    ],
    statements, { id: 'statements-table' });

  const detail = h('div', { id: 'statement-slot' });
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('se.title')),
      h('a', { class: 'btn', id: 'csv-link', href: '/api/v1/statements?' + csv, download: 'statements-' + period + '-' + from + '-' + to + '.csv' }, t('se.csv')),
      h('button', { class: 'btn no-print', id: 'print', onclick: () => window.print() }, t('common.print'))),
    h('form', { class: 'panel toolbar no-print', id: 'se-filter', onsubmit: (e) => {
      e.preventDefault();
      location.hash = hashWith();
    } },
    field(t('se.period'), periodSel), field(t('op.filter_operator'), opSel), field(t('se.from'), fromIn), field(t('se.to'), toIn),
    h('button', { class: 'btn primary', type: 'submit', id: 'se-submit' }, t('se.query'))),
    detail,
    h('section', { class: 'panel statements' + (open ? ' no-print' : '') }, list),
  );

  if (open) {
    const [op, per] = open.split('|');
    const st = statements.find((s) => s.operator_id === op && s.period === per);
    const [f, tDay] = periodRange(per || '');
    const rows = await api('GET', '/api/v1/settlements?' + new URLSearchParams({ operator: op, from: f, to: tDay }));
    if (!ctx.alive()) return;
    detail.replaceChildren(h('section', { class: 'panel statement', id: 'statement' },
      h('div', { class: 'panel-head' }, h('h3', null, t('se.statement', { op: op + ' ' + name(op), period: per })),
        h('a', { class: 'btn link no-print', href: '#/settlement?' + sp }, t('common.close'))),
      st ? h('dl', { class: 'facts' }, [
        [t('dm.instructions'), fmtInt(st.instructions)], [t('se.target_kwh'), fmt(st.target_kwh)], [t('se.delivered_kwh'), fmt(st.delivered_kwh)],
        [t('se.paid_kwh'), fmt(st.paid_kwh)], [t('se.payments'), fmt(st.payments_yuan)], [t('se.penalties'), fmt(st.penalties_yuan)],
        [t('se.earnings'), fmt(st.earnings_yuan)],
      ].map(([k, v]) => [h('dt', null, k), h('dd', null, v)])) : null,
      h('h4', null, t('se.rows')),
      table([
        { label: t('common.day'), cell: (r) => r.day },
        { label: t('se.task'), cell: (r) => r.task_id },
        { label: t('dm.regulation_id'), cell: (r) => r.regulation_id },
        { label: t('se.delivered_kwh'), cell: (r) => fmt(r.delivered_kwh), class: 'num' },
        { label: t('se.earnings'), cell: (r) => fmt(r.earnings_yuan), class: 'num' },
        { label: t('common.state'), cell: (r) => r.state },
      ], rows, { id: 'settlement-rows' })));
  }
}
