// Operator platforms. The system administrator (manage_peers) lists, onboards, enables and disables
// them; the security administrator (manage_roles) rotates their inbound keys and, without
// manage_peers, cannot read the list, so gets a rotate form by OperatorID instead. A key set is
// shown once in a panel that "done" removes from the DOM: nothing keeps a copy after that.

import { api, can } from '../app.js';
import { t } from '../i18n.js';
import { h, table, field, badge, confirmDialog, showError, showNotice } from '../ui.js';

const OPERATOR_ID = /^[0-9A-Z]{9}$/;
// The T/CEC 102 names the operator's platform is configured with; not translated on purpose.
const KEY_FIELDS = [
  ['operator_id', 'OperatorID'],
  ['operator_secret', 'OperatorSecret'],
  ['data_secret', 'DataSecret'],
  ['data_iv', 'DataSecretIV'],
  ['sig_secret', 'SigSecret'],
];

// true when v is an OperatorID; otherwise says why in the banner.
function checkOperatorId(v) {
  if (OPERATOR_ID.test(v)) return true;
  showError(v ? t('pe.bad_id') : t('err.required', { field: t('op.id') }));
  return false;
}

function keysText(keys) {
  return KEY_FIELDS.map(([k, label]) => label + ': ' + keys[k]).join('\n') + '\n';
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    // No clipboard API (plain http, denied): the old way through a short-lived textarea.
    const ta = h('textarea', { class: 'offscreen', readonly: true }, text);
    document.body.append(ta);
    ta.select();
    let done = false;
    try {
      done = document.execCommand('copy');
    } catch (e2) {
      done = false;
    }
    ta.remove();
    return done;
  }
}

// Puts the key set into `slot` (replacing any earlier one); "done" empties the slot.
function showKeys(slot, keys, titleKey) {
  const panel = h('section', { class: 'panel keyset', id: 'peer-keys', dataset: { operator: keys.operator_id } },
    h('h3', null, t(titleKey, { op: keys.operator_id })),
    h('p', { class: 'keyset-warning', role: 'alert' }, t('pe.keys_warning')),
    h('dl', { class: 'keyset-list' }, KEY_FIELDS.map(([k, label]) => [h('dt', null, label), h('dd', null, h('code', { class: 'key-' + k }, keys[k]))])),
    h('div', { class: 'toolbar' },
      h('button', { class: 'btn', type: 'button', id: 'peer-keys-copy', onclick: async () => {
        showNotice(t((await copyText(keysText(keys))) ? 'pe.copied' : 'pe.copy_failed'));
      } }, t('pe.copy')),
      h('button', { class: 'btn primary', type: 'button', id: 'peer-keys-done', onclick: () => {
        panel.remove();
        slot.replaceChildren();
        keys = null;
      } }, t('pe.keys_done'))));
  slot.replaceChildren(panel);
  panel.scrollIntoView({ block: 'nearest' });
}

export async function render(root, args, query, ctx) {
  const admin = can('manage_peers');
  const sec = can('manage_roles');
  const list = admin ? await api('GET', '/api/v1/peers') : null;
  if (!ctx.alive()) return;
  const slot = h('div', { id: 'peer-keys-slot' });
  const listPanel = h('section', { class: 'panel' });
  const path = (id, what) => '/api/v1/peers/' + encodeURIComponent(id) + '/' + what;

  const reloadList = async () => {
    let fresh;
    try {
      fresh = await api('GET', '/api/v1/peers');
    } catch (e) {
      return;
    }
    if (ctx.alive()) listPanel.replaceChildren(peersTable(fresh));
  };
  const rotate = async (id) => {
    if (!(await confirmDialog({ message: t('pe.confirm_rotate', { op: id }), okLabel: t('pe.rotate') }))) return;
    let keys;
    try {
      keys = await api('POST', path(id, 'rotate'));
    } catch (e) {
      return;
    }
    if (ctx.alive()) showKeys(slot, keys, 'pe.keys_rotated');
  };
  const toggle = async (p) => {
    const what = p.enabled ? 'disable' : 'enable';
    if (!(await confirmDialog({ message: t('pe.confirm_' + what, { op: p.operator_id }), okLabel: t('pe.' + what), danger: p.enabled }))) return;
    try {
      await api('POST', path(p.operator_id, what));
    } catch (e) {
      return;
    }
    showNotice(t('us.done'));
    await reloadList();
  };
  const peersTable = (rows) => table([
    { label: t('op.id'), cell: (p) => p.operator_id },
    { label: t('common.name'), cell: (p) => p.name },
    { label: t('pe.base_url'), cell: (p) => h('code', null, p.base_url) },
    { label: t('common.enabled'), cell: (p) => (p.enabled ? t('common.yes') : badge(t('common.no'), 'bad')) },
    { label: t('common.actions'), cell: (p) => [
      h('button', { class: 'btn small peer-toggle' + (p.enabled ? ' danger' : ''), onclick: () => toggle(p) }, t(p.enabled ? 'pe.disable' : 'pe.enable')),
      sec ? h('button', { class: 'btn small peer-rotate', onclick: () => rotate(p.operator_id) }, t('pe.rotate')) : null,
    ] },
  ], rows, { id: 'peers-table', rowAttrs: (p) => ({ 'data-operator': p.operator_id, 'data-enabled': String(p.enabled) }) });

  let onboard = null;
  if (admin) {
    const id = h('input', { id: 'peer-id', autocomplete: 'off', maxlength: '9', placeholder: 'MA1234567' });
    const name = h('input', { id: 'peer-name', autocomplete: 'off' });
    const url = h('input', { id: 'peer-url', autocomplete: 'off', placeholder: 'https://' });
    onboard = h('form', { class: 'panel toolbar', id: 'peer-form', onsubmit: async (e) => {
      e.preventDefault();
      const body = { operator_id: id.value.trim(), name: name.value.trim(), base_url: url.value.trim() };
      if (!checkOperatorId(body.operator_id)) return;
      if (!body.name) return showError(t('err.required', { field: t('common.name') }));
      if (!/^https:\/\/[^/\s]+/.test(body.base_url)) return showError(t('pe.bad_url'));
      let res;
      try {
        res = await api('POST', '/api/v1/peers', body);
      } catch (err) {
        return;
      }
      if (!ctx.alive()) return;
      id.value = name.value = url.value = '';
      showKeys(slot, res.keys, 'pe.keys_onboarded');
      await reloadList();
    } },
    field(t('op.id'), id, t('pe.id_hint')), field(t('common.name'), name), field(t('pe.base_url'), url),
    h('button', { class: 'btn primary', type: 'submit', id: 'peer-create' }, t('pe.onboard')));
    listPanel.append(peersTable(list));
  }

  let rotateForm = null;
  if (sec && !admin) {
    const id = h('input', { id: 'rotate-id', autocomplete: 'off', maxlength: '9' });
    rotateForm = h('form', { class: 'panel toolbar', id: 'peer-rotate-form', onsubmit: async (e) => {
      e.preventDefault();
      const v = id.value.trim();
      if (!checkOperatorId(v)) return;
      await rotate(v);
    } },
    field(t('op.id'), id, t('pe.id_hint')),
    h('button', { class: 'btn danger', type: 'submit', id: 'rotate-submit' }, t('pe.rotate')));
  }

  // replaceChildren would print a null as "null": leave the parts this user has not out.
  root.replaceChildren(...[
    h('div', { class: 'page-head' }, h('h2', null, t('pe.title'))),
    h('p', { class: 'muted' }, t(admin ? 'pe.hint' : 'pe.hint_rotate')),
    slot,
    onboard,
    rotateForm,
    admin ? listPanel : null,
  ].filter(Boolean));
}
