// Alarms: latest first, optionally with closed ones; acknowledge and close ask for confirmation.

import { api, can } from '../app.js';
import { t, getLang } from '../i18n.js';
import { engineText } from '../engine_text.js';
import { h, engineEl, table, fmtInt, badge, confirmDialog } from '../ui.js';

export async function render(root, args, query, ctx) {
  const includeClosed = query.get('include_closed') === 'true';
  const list = await api('GET', '/api/v1/alarms?include_closed=' + includeClosed);
  if (!ctx.alive()) return;
  const reload = () => render(root, args, query, ctx);
  const act = async (a, what) => {
    const message = t(what === 'ack' ? 'al.confirm_ack' : 'al.confirm_close', { title: engineText(a.title, getLang()) });
    if (!(await confirmDialog({ message, okLabel: t(what === 'ack' ? 'al.ack' : 'al.close'), danger: what === 'close' }))) return;
    try {
      await api('POST', '/api/v1/alarms/' + encodeURIComponent(a.id) + '/' + what);
    } catch (e) {
      return;
    }
    if (ctx.alive()) await reload();
  };
  const cols = [
    { label: t('al.time'), cell: (a) => a.time },
    { label: t('al.level'), cell: (a) => badge(t('al.level.' + a.level), 'level-' + a.level) },
    { label: t('common.state'), cell: (a) => badge(t('al.state.' + a.state), 'astate-' + a.state, { 'data-state': a.state }) },
    { label: t('al.type'), cell: (a) => a.type },
    { label: t('al.module'), cell: (a) => a.module },
    { label: t('al.title_col'), cell: (a) => engineEl('span', { class: 'alarm-title' }, a.title) },
    { label: t('al.detail'), cell: (a) => engineEl('span', { class: 'detail' }, a.detail) },
    { label: t('al.count'), cell: (a) => fmtInt(a.count), class: 'num' },
    { label: t('al.first'), cell: (a) => a.first_at },
    { label: t('al.last'), cell: (a) => a.last_at },
  ];
  if (can('ack_alarms')) {
    cols.push({
      label: t('common.actions'),
      cell: (a) => [
        a.state === 'open' ? h('button', { class: 'btn small alarm-ack', onclick: () => act(a, 'ack') }, t('al.ack')) : null,
        a.state !== 'closed' ? h('button', { class: 'btn small danger alarm-close', onclick: () => act(a, 'close') }, t('al.close')) : null,
      ],
    });
  }
  const toggle = h('input', { type: 'checkbox', id: 'include-closed', checked: includeClosed,
    onchange: (e) => (location.hash = '#/alarms' + (e.target.checked ? '?include_closed=true' : '')) });
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('al.title')), h('label', { class: 'check' }, toggle, t('al.include_closed')),
      h('button', { class: 'btn', id: 'alarms-refresh', onclick: reload }, t('common.refresh'))),
    h('section', { class: 'panel' }, table(cols, list, { id: 'alarms-table', rowAttrs: (a) => ({ 'data-id': String(a.id) }) })),
  );
}
