// Users and roles: the system administrator creates, enables and disables users; the security
// administrator assigns roles and resets passwords. Every change asks for confirmation.

import { api, can } from '../app.js';
import { t } from '../i18n.js';
import { h, table, field, badge, confirmDialog, showError, showNotice } from '../ui.js';

const ROLES = ['dispatcher', 'viewer', 'sysadmin', 'secadmin', 'auditor'];

export async function render(root, args, query, ctx) {
  const list = await api('GET', '/api/v1/users');
  if (!ctx.alive()) return;
  const reload = () => render(root, args, query, ctx);
  const path = (u, what) => '/api/v1/users/' + encodeURIComponent(u.username) + '/' + what;

  const run = async (fn) => {
    try {
      await fn();
    } catch (e) {
      return;
    }
    showNotice(t('us.done'));
    if (ctx.alive()) await reload();
  };
  const setRoles = async (u) => {
    const boxes = ROLES.map((r) => h('input', { type: 'checkbox', value: r, class: 'role-box', checked: u.roles.includes(r) }));
    const body = h('div', { class: 'roles-pick' }, ROLES.map((r, i) => h('label', { class: 'check' }, boxes[i], t('role.' + r))), h('p', { class: 'muted' }, t('us.sod')));
    if (!(await confirmDialog({ message: t('us.confirm_roles', { u: u.username }), body, danger: false }))) return;
    const roles = boxes.filter((b) => b.checked).map((b) => b.value);
    await run(() => api('PUT', path(u, 'roles'), { roles }));
  };
  const resetPw = async (u) => {
    const pw = h('input', { type: 'password', id: 'reset-password', autocomplete: 'new-password' });
    if (!(await confirmDialog({ message: t('us.confirm_reset', { u: u.username }), body: field(t('us.new_password'), pw), okLabel: t('us.reset_pw') }))) return;
    await run(() => api('POST', path(u, 'password'), { password: pw.value }));
  };
  const toggle = async (u) => {
    const what = u.enabled ? 'disable' : 'enable';
    if (!(await confirmDialog({ message: t(u.enabled ? 'us.confirm_disable' : 'us.confirm_enable', { u: u.username }), okLabel: t('us.' + what), danger: u.enabled }))) return;
    await run(() => api('POST', path(u, what)));
  };

  const cols = [
    { label: t('us.username'), cell: (u) => u.username },
    { label: t('us.display_name'), cell: (u) => u.display_name },
    { label: t('us.roles'), cell: (u) => u.roles.map((r) => badge(t('role.' + r), 'role')) },
    { label: t('common.enabled'), cell: (u) => (u.enabled ? t('common.yes') : badge(t('common.no'), 'bad')) },
    { label: t('us.must_change'), cell: (u) => (u.must_change_password ? t('common.yes') : t('common.no')) },
    { label: t('dm.created_at'), cell: (u) => u.created_at },
    { label: t('common.actions'), cell: (u) => [
      can('manage_roles') ? h('button', { class: 'btn small user-roles', onclick: () => setRoles(u) }, t('us.set_roles')) : null,
      can('manage_roles') ? h('button', { class: 'btn small user-reset', onclick: () => resetPw(u) }, t('us.reset_pw')) : null,
      can('manage_users') ? h('button', { class: 'btn small user-toggle' + (u.enabled ? ' danger' : ''), onclick: () => toggle(u) }, t(u.enabled ? 'us.disable' : 'us.enable')) : null,
    ] },
  ];

  let form = null;
  if (can('manage_users')) {
    const un = h('input', { id: 'new-username', autocomplete: 'off' });
    const dn = h('input', { id: 'new-display-name' });
    const pw = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password' });
    form = h('form', { class: 'panel toolbar', id: 'user-form', onsubmit: async (e) => {
      e.preventDefault();
      if (!un.value.trim()) return showError(t('err.required', { field: t('us.username') }));
      if (!pw.value) return showError(t('err.required', { field: t('us.password') }));
      try {
        await api('POST', '/api/v1/users', { username: un.value.trim(), display_name: dn.value.trim(), password: pw.value });
      } catch (err) {
        return;
      }
      showNotice(t('us.created', { u: un.value.trim() }));
      if (ctx.alive()) await reload();
    } },
    field(t('us.username'), un), field(t('us.display_name'), dn), field(t('us.password'), pw),
    h('button', { class: 'btn primary', type: 'submit', id: 'user-create' }, t('us.create')));
  }
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('us.title'))),
    form,
    h('section', { class: 'panel' }, table(cols, list, { id: 'users-table', rowAttrs: (u) => ({ 'data-user': u.username }) })),
  );
}
