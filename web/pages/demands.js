// Demands: the list (#/demands), the create form (#/demands/new, dispatchers only) and one
// demand's detail (#/demands/TASK): coverage per window, each instruction's state, allocation and
// why, the negotiation note and events, refreshed every 5 s; change and cancel ask first.

import { api, can, go, serverNow } from '../app.js';
import { t, getLang } from '../i18n.js';
import { engineText } from '../engine_text.js';
import { h, engineEl, table, fmt, fmtInt, field, badge, confirmDialog, showError, showNotice } from '../ui.js';

const REFRESH_MS = 5000;

export function insState(s) {
  const key = 'ins.state.' + s;
  const v = t(key);
  return badge(v === key ? s : v, 'state-' + String(s).replace(/\s+/g, '-'), { 'data-state': s, class: 'badge instr-state state-' + String(s).replace(/\s+/g, '-') });
}

function demandState(s) {
  const key = 'dm.state.' + s;
  const v = t(key);
  return badge(v === key ? s : v, 'dstate-' + s, { 'data-state': s });
}

const SCOPE_KINDS = ['all', 'operators', 'areas', 'stations', 'stakes', 'markets', 'transformer-areas'];
// The scope kinds whose IDs come from the grid topology -> the member of GET /api/v1/topology.
const TOPOLOGY_KINDS = { markets: 'markets', 'transformer-areas': 'transformer_areas' };

function scopeText(scope) {
  const kind = t('dm.scope.' + scope.kind);
  return scope.ids && scope.ids.length ? kind + ': ' + scope.ids.join(', ') : kind;
}

function windowsText(ws) {
  if (!ws || !ws.length) return '—';
  return h('ul', { class: 'plain' }, ws.map((w) => h('li', null, w.start + ' – ' + w.end.slice(-5) + ' · ' + fmt(w.target_kw) + ' kW')));
}

export async function render(root, args, query, ctx) {
  if (args[0] === 'new') return renderCreate(root, await serverNow());
  if (args[0]) return renderDetail(root, args[0], ctx);
  const state = query.get('state') || '';
  const list = await api('GET', '/api/v1/demands?limit=200' + (state ? '&state=' + encodeURIComponent(state) : ''));
  if (!ctx.alive()) return;
  const sel = h('select', { id: 'demand-state', onchange: (e) => (location.hash = '#/demands' + (e.target.value ? '?state=' + e.target.value : '')) },
    h('option', { value: '' }, t('common.all')),
    ['draft', 'dispatched', 'done', 'cancelled'].map((s) => h('option', { value: s, selected: s === state }, t('dm.state.' + s))));
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('dm.title')),
      can('manage_demands') ? h('a', { class: 'btn primary', id: 'create-demand', href: '#/demands/new' }, t('dm.create')) : null),
    h('section', { class: 'panel' },
      h('div', { class: 'toolbar' }, field(t('dm.filter_state'), sel)),
      table(
        [
          { label: t('dm.task_id'), cell: (d) => h('a', { href: '#/demands/' + encodeURIComponent(d.task_id), class: 'demand-link' }, d.task_id) },
          { label: t('dm.type'), cell: (d) => t('dm.type.' + d.type) },
          { label: t('common.state'), cell: (d) => demandState(d.state) },
          { label: t('dm.scope'), cell: (d) => scopeText(d.scope) },
          { label: t('dm.windows'), cell: (d) => windowsText(d.windows) },
          { label: t('dm.is_force'), cell: (d) => (d.is_force ? t('dm.force_yes') : t('dm.force_no')) },
          { label: t('dm.instructions'), cell: (d) => fmtInt(d.instructions), class: 'num' },
          { label: t('dm.created_by'), cell: (d) => d.created_by },
          { label: t('dm.created_at'), cell: (d) => d.created_at },
        ],
        list,
        { id: 'demands-table' },
      )),
  );
}

// ---- windows editor (create and change) ----
function pad(n) {
  return String(n).padStart(2, '0');
}
function localMinute(d) {
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}
const toApi = (v) => v.replace('T', ' ');
const fromApi = (v) => v.replace(' ', 'T');

function windowsEditor(initial) {
  const rows = h('tbody');
  const addRow = (w) => {
    const tr = h('tr', { class: 'window-row' },
      h('td', null, h('input', { type: 'datetime-local', class: 'w-start', value: w.start })),
      h('td', null, h('input', { type: 'datetime-local', class: 'w-end', value: w.end })),
      h('td', null, h('input', { type: 'number', class: 'w-target', min: '0', step: '0.01', value: w.target })),
      h('td', null, h('button', { type: 'button', class: 'btn link', onclick: () => tr.remove() }, t('dm.remove'))));
    rows.append(tr);
  };
  for (const w of initial) addRow(w);
  const el = h('div', { class: 'windows-editor' },
    h('table', { class: 'grid compact' }, h('thead', null, h('tr', null, h('th', null, t('dm.start')), h('th', null, t('dm.end')), h('th', null, t('dm.target')), h('th'))), rows),
    h('button', { type: 'button', class: 'btn', id: 'add-window', onclick: () => {
      const last = rows.lastElementChild;
      const start = last ? new Date(last.querySelector('.w-end').value) : new Date();
      const s = new Date(start.getTime() + 60000);
      addRow({ start: localMinute(s), end: localMinute(new Date(s.getTime() + 59 * 60000)), target: last ? last.querySelector('.w-target').value : '' });
    } }, t('dm.add_window')));
  // -> [{start, end, target_kw}] or throws Error with a business message.
  el.read = () => {
    const out = [];
    [...rows.children].forEach((tr, i) => {
      const start = tr.querySelector('.w-start').value;
      const end = tr.querySelector('.w-end').value;
      const target = parseFloat(tr.querySelector('.w-target').value);
      if (!start) throw new Error(t('err.required', { field: t('dm.start') }));
      if (!end) throw new Error(t('err.required', { field: t('dm.end') }));
      if (!(target > 0)) throw new Error(t('err.number', { field: t('dm.target') }));
      if (end < start) throw new Error(t('err.window_order', { n: i + 1 }));
      out.push({ start: toApi(start), end: toApi(end), target_kw: Math.round(target * 100) / 100 });
    });
    if (!out.length) throw new Error(t('err.windows'));
    return out;
  };
  return el;
}

function renderCreate(root, nowText) {
  if (!can('manage_demands')) {
    showError(t('err.forbidden'));
    go('#/demands');
    return;
  }
  // Default window: the next full hour after 30 min from the server's now, one hour long.
  const now = new Date(nowText.replace(' ', 'T') + ':00');
  const s = new Date(now.getTime() + 30 * 60000);
  s.setMinutes(0, 0, 0);
  s.setTime(s.getTime() + 3600000);
  const editor = windowsEditor([{ start: localMinute(s), end: localMinute(new Date(s.getTime() + 59 * 60000)), target: '' }]);
  const taskId = h('input', { id: 'dm-task-id', placeholder: t('dm.task_id_ph') });
  const type = h('select', { id: 'dm-type' }, ['peak', 'valley'].map((v) => h('option', { value: v }, t('dm.type.' + v))));
  const ids = h('textarea', { id: 'dm-ids', rows: '3' });
  const idsField = field(t('dm.ids'), ids, t('dm.ids_hint'));
  idsField.hidden = true;
  // Markets and transformer areas: the IDs of the grid topology are offered in a datalist; picking
  // one adds it to the IDs.
  const known = h('datalist', { id: 'dm-topology-ids' });
  const pick = h('input', { id: 'dm-id-pick', list: 'dm-topology-ids', autocomplete: 'off', onchange: () => {
    const v = pick.value.trim();
    const have = ids.value.split(/[\s,，]+/).filter(Boolean);
    if (v && !have.includes(v)) ids.value = [...have, v].join('\n');
    pick.value = '';
  } });
  const pickField = field(t('dm.pick_id'), pick);
  pickField.hidden = true;
  let topology = null;  // fetched once, when a topology scope is first chosen
  const offerIds = async () => {
    const topo = TOPOLOGY_KINDS[kind.value];
    pickField.hidden = !topo;
    if (!topo) return;
    if (!topology) {
      try {
        topology = await api('GET', '/api/v1/topology', undefined, { quiet: true });
      } catch (err) {
        topology = { markets: [], transformer_areas: [], version: 0 };
      }
    }
    const groups = topology[topo];
    known.replaceChildren(...groups.map((g) => h('option', { value: g.id, label: t('dm.topology_option', { stations: fmtInt(g.stations), operators: fmtInt(g.operators) }) })));
    pickField.querySelector('.field-label').textContent = t('dm.pick_id') + ' (' + t(groups.length ? 'dm.topology_known' : 'dm.topology_none', { n: fmtInt(groups.length) }) + ')';
  };
  const kind = h('select', { id: 'dm-scope-kind', onchange: () => {
    idsField.hidden = kind.value === 'all';
    offerIds();
  } },
    SCOPE_KINDS.map((v) => h('option', { value: v }, t('dm.scope.' + v))));
  const force = h('input', { type: 'checkbox', id: 'dm-force' });
  const deadline = h('input', { type: 'datetime-local', id: 'dm-deadline' });
  const note = h('input', { id: 'dm-note' });
  const submit = async (e) => {
    e.preventDefault();
    const body = { type: type.value, scope: { kind: kind.value }, is_force: force.checked };
    try {
      body.windows = editor.read();
      if (kind.value !== 'all') {
        body.scope.ids = ids.value.split(/[\s,，]+/).map((x) => x.trim()).filter(Boolean);
        if (!body.scope.ids.length) throw new Error(t('err.ids'));
      }
    } catch (err) {
      showError(err.message);
      return;
    }
    if (taskId.value.trim()) body.task_id = taskId.value.trim();
    if (deadline.value) body.accept_deadline = toApi(deadline.value);
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const d = await api('POST', '/api/v1/demands', body);
      showNotice(t('dm.created', { task: d.task_id }));
      go('#/demands/' + encodeURIComponent(d.task_id));
    } catch (err) {
      /* banner shown */
    }
  };
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('a', { href: '#/demands', class: 'btn link' }, '← ' + t('common.back')), h('h2', null, t('dm.create'))),
    h('form', { class: 'panel form', id: 'demand-form', onsubmit: submit },
      h('div', { class: 'form-row' }, field(t('dm.task_id'), taskId), field(t('dm.type'), type), field(t('dm.scope'), kind)),
      idsField,
      pickField,
      known,
      h('h3', null, t('dm.windows')),
      editor,
      h('div', { class: 'form-row' }, h('label', { class: 'check' }, force, t('dm.is_force')), field(t('dm.deadline'), deadline), field(t('dm.note'), note)),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', id: 'dm-submit' }, t('dm.submit')))),
  );
}

// An area-scope demand has one instruction per station (thousands): the table shows a page of
// them, filtered by operator, regulation ID or station, and the events their most recent part.
const INSTRUCTIONS_PER_PAGE = 100;
const EVENTS_SHOWN = 200;

function instructionsPanel(d, view, repaint, columns) {
  const q = view.query.trim().toUpperCase();
  const rows = q
    ? d.instructions_list.filter((i) => [i.operator_id, i.regulation_id, ...(i.adjust_ids || [])].some((x) => x.toUpperCase().includes(q)))
    : d.instructions_list;
  const pages = Math.max(1, Math.ceil(rows.length / INSTRUCTIONS_PER_PAGE));
  view.page = Math.min(Math.max(1, view.page), pages);
  const shown = rows.slice((view.page - 1) * INSTRUCTIONS_PER_PAGE, view.page * INSTRUCTIONS_PER_PAGE);
  const filter = h('input', { id: 'ins-filter', value: view.query, placeholder: t('dm.instr_filter_hint') });
  const submit = (e) => {
    e.preventDefault();
    view.query = filter.value;
    view.page = 1;
    repaint();
  };
  const turn = (n) => () => {
    view.page += n;
    repaint();
  };
  return h('section', { class: 'panel' }, h('h3', null, t('dm.instr_title')),
    d.instructions_list.length > INSTRUCTIONS_PER_PAGE || q
      ? h('form', { class: 'toolbar', id: 'ins-filter-form', onsubmit: submit }, field(t('dm.instr_filter'), filter),
        h('button', { class: 'btn', type: 'submit', id: 'ins-filter-submit' }, t('common.search')))
      : null,
    table(columns, shown, { id: 'instructions-table' }),
    pages > 1
      ? h('div', { class: 'pager' },
        h('button', { class: 'btn', id: 'ins-page-prev', disabled: view.page <= 1, onclick: turn(-1) }, t('common.prev')),
        h('span', { id: 'ins-page-info' }, t('common.page', { page: view.page, pages, total: fmtInt(rows.length) })),
        h('button', { class: 'btn', id: 'ins-page-next', disabled: view.page >= pages, onclick: turn(1) }, t('common.next')))
      : null);
}

function eventsPanel(d, view, repaint) {
  if (!d.events.length) return h('section', { class: 'panel' }, h('h3', null, t('dm.events')), h('p', { class: 'muted' }, t('common.none')));
  const cut = view.allEvents ? 0 : Math.max(0, d.events.length - EVENTS_SHOWN);
  return h('section', { class: 'panel' }, h('h3', null, t('dm.events')),
    cut > 0
      ? h('p', { class: 'muted', id: 'events-cut' }, t('dm.events_last', { shown: fmtInt(d.events.length - cut), total: fmtInt(d.events.length) }), ' ',
        h('button', { class: 'btn link', id: 'events-all', onclick: () => { view.allEvents = true; repaint(); } }, t('dm.events_all')))
      : null,
    h('ol', { class: 'events', id: 'events', start: String(cut + 1) }, d.events.slice(cut).map((e) => engineEl('li', null, e))));
}

function detailBody(d, view, repaint) {
  const live = d.state === 'draft' || d.state === 'dispatched';
  return [
    h('section', { class: 'panel' },
      h('dl', { class: 'facts' },
        [
          [t('dm.type'), t('dm.type.' + d.type)], [t('common.state'), demandState(d.state)], [t('dm.scope'), scopeText(d.scope)],
          [t('dm.is_force'), d.is_force ? t('dm.force_yes') : t('dm.force_no')], [t('dm.version'), String(d.version)],
          [t('dm.deadline'), d.accept_deadline], [t('dm.created_by'), d.created_by], [t('dm.created_at'), d.created_at],
          [t('dm.updated_at'), d.updated_at], [t('dm.note'), d.note || '—'],
        ].map(([k, v]) => [h('dt', null, k), h('dd', null, v)]))),
    h('section', { class: 'panel' }, h('h3', null, t('dm.coverage')),
      table(
        [
          { label: t('dm.start'), cell: (c) => c.start }, { label: t('dm.end'), cell: (c) => c.end },
          { label: t('dm.target'), cell: (c) => fmt(c.target_kw), class: 'num' },
          { label: t('dm.allocated'), cell: (c) => fmt(c.allocated_kw), class: 'num' },
          { label: t('dm.accepted'), cell: (c) => fmt(c.accepted_kw), class: 'num' },
          { label: t('dm.uncovered'), cell: (c) => h('span', { class: c.uncovered_kw > 0 ? 'bad' : 'good' }, fmt(c.uncovered_kw)), class: 'num' },
        ],
        d.coverage, { id: 'coverage-table' })),
    instructionsPanel(d, view, repaint,
        [
          { label: t('op.id'), cell: (i) => i.operator_id },
          { label: t('dm.regulation_id'), cell: (i) => i.regulation_id },
          { label: t('common.state'), cell: (i) => insState(i.state) },
          { label: t('dm.round'), cell: (i) => String(i.round), class: 'num' },
          { label: t('dm.alloc_windows'), cell: (i) => windowsText(i.allocated) },
          { label: t('dm.accept_windows'), cell: (i) => windowsText(i.accepted) },
          { label: t('dm.explanation'), cell: (i) => h('ul', { class: 'plain explanation' }, i.explanation.map((x) => engineEl('li', null, x))) },
          { label: t('dm.negotiation'), cell: (i) => (i.note ? engineEl('span', { class: 'instr-note' }, i.note) : '—') },
          { label: t('dm.measured'), cell: (i) => (i.measured.length
            ? h('ul', { class: 'plain' }, i.measured.map((m) => h('li', null, m.start.slice(-5) + '–' + m.end.slice(-5) + ' · ' + fmt(m.completion_percent, 1) + ' % · ' + fmt(m.delivered_kwh) + ' kWh')), i.baseline ? h('li', { class: 'muted', title: i.baseline }, t('ins.baseline', { b: engineText(i.baseline, getLang()) })) : null)
            : t('ex.not_measured')) },
          { label: t('dm.earnings'), cell: (i) => fmt(i.earnings_yuan), class: 'num' },
        ]),
    eventsPanel(d, view, repaint),
    live,
  ];
}

async function renderDetail(root, task, ctx) {
  const path = '/api/v1/demands/' + encodeURIComponent(task);
  let d = await api('GET', path);
  if (!ctx.alive()) return;
  const body = h('div', { id: 'demand-body' });
  const editorSlot = h('div', { id: 'change-slot' });
  const actions = h('div', { class: 'actions' });
  const view = { page: 1, query: '', allEvents: false };  // kept across the refreshes
  const paint = () => {
    const parts = detailBody(d, view, paint);
    const live = parts.pop();
    body.replaceChildren(...parts);
    actions.replaceChildren();
    if (can('manage_demands') && live) {
      actions.append(
        h('button', { class: 'btn', id: 'change-demand', onclick: openChange }, t('dm.change')),
        h('button', { class: 'btn danger', id: 'cancel-demand', onclick: cancelDemand }, t('dm.cancel_demand')));
    }
  };
  const openChange = () => {
    const editor = windowsEditor(d.windows.map((w) => ({ start: fromApi(w.start), end: fromApi(w.end), target: String(w.target_kw) })));
    editorSlot.replaceChildren(h('section', { class: 'panel' }, h('h3', null, t('dm.change')), editor,
      h('div', { class: 'actions' },
        h('button', { class: 'btn', onclick: () => editorSlot.replaceChildren() }, t('common.cancel')),
        h('button', { class: 'btn primary', id: 'change-submit', onclick: async () => {
          let windows;
          try {
            windows = editor.read();
          } catch (err) {
            showError(err.message);
            return;
          }
          if (!(await confirmDialog({ message: t('dm.confirm_change', { task, n: windows.length }) }))) return;
          try {
            d = await api('POST', path + '/change', { windows });
            editorSlot.replaceChildren();
            showNotice(t('dm.changed'));
            paint();
          } catch (err) {
            /* banner shown */
          }
        } }, t('dm.change_submit')))));
  };
  const cancelDemand = async () => {
    const reason = h('input', { id: 'cancel-reason' });
    if (!(await confirmDialog({ message: t('dm.confirm_cancel', { task }), body: field(t('dm.cancel_reason'), reason), okLabel: t('dm.cancel_demand') }))) return;
    try {
      d = await api('POST', path + '/cancel', reason.value.trim() ? { reason: reason.value.trim() } : {});
      showNotice(t('dm.cancelled'));
      paint();
    } catch (err) {
      /* banner shown */
    }
  };
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('a', { href: '#/demands', class: 'btn link' }, '← ' + t('common.back')),
      h('h2', { id: 'demand-title' }, t('dm.detail') + ' ' + d.task_id), h('span', { class: 'muted' }, t('dm.auto_refresh')),
      h('a', { class: 'btn link', href: '#/execution?task=' + encodeURIComponent(task) }, t('nav.execution')), actions),
    editorSlot,
    body,
  );
  paint();
  const timer = setInterval(async () => {
    try {
      const fresh = await api('GET', path, undefined, { quiet: true });
      if (ctx.alive()) {
        d = fresh;
        paint();
      }
    } catch (e) {
      /* the next tick tries again; a 401 already shows the login page */
    }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
