// The console's shell: session (login, /me, logout), the fetch wrapper every page uses (sends
// X-CSRF-Token on POST/PUT/DELETE, turns a 401 into the login page, puts the API's "error" text in
// the banner), the nav filtered by the user's permissions and the router on location.hash.

import { t, getLang, setLang, applyI18n } from './i18n.js';
import { h, showError, showNotice, clearBanner, confirmDialog, field } from './ui.js';
import * as overview from './pages/overview.js';
import * as operators from './pages/operators.js';
import * as demands from './pages/demands.js';
import * as execution from './pages/execution.js';
import * as settlement from './pages/settlement.js';
import * as reports from './pages/reports.js';
import * as alarms from './pages/alarms.js';
import * as users from './pages/users.js';
import * as peers from './pages/peers.js';
import * as topology from './pages/topology.js';
import * as audit from './pages/audit.js';

// Nav entries in order; `perm` is any of the listed permissions (Me.permissions).
const ROUTES = [
  { name: 'overview', perm: ['read_business'], page: overview },
  { name: 'operators', perm: ['read_business'], page: operators },
  { name: 'demands', perm: ['read_business'], page: demands },
  { name: 'execution', perm: ['read_business'], page: execution },
  { name: 'settlement', perm: ['read_business'], page: settlement },
  { name: 'reports', perm: ['read_business'], page: reports },
  { name: 'alarms', perm: ['read_business'], page: alarms },
  { name: 'users', perm: ['manage_users', 'manage_roles'], page: users },
  { name: 'peers', perm: ['manage_peers', 'manage_roles'], page: peers },
  { name: 'topology', perm: ['manage_peers'], page: topology },
  { name: 'audit', perm: ['read_audit'], page: audit },
];

export const session = { me: null };

export function can(perm) {
  return !!session.me && session.me.permissions.includes(perm);
}

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

// api('GET', '/api/v1/x', body?, {quiet}) -> parsed JSON (null for 204). On failure shows the
// banner (unless quiet) and throws ApiError; a 401 also shows the login page.
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.me) headers['X-CSRF-Token'] = session.me.csrf_token;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (e) {
    if (!opts.quiet) showError(t('err.network'));
    throw new ApiError(0, t('err.network'));
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  if (res.ok) return data;
  let message = data && typeof data.error === 'string' && data.error ? data.error : null;
  if (!message) message = res.status === 403 ? t('err.forbidden') : t('err.generic', { status: res.status });
  const fieldName = data && data.field ? data.field : undefined;
  if (res.status === 401 && !opts.login) {
    session.me = null;
    showLogin();
    showError(t('err.session'));
    throw new ApiError(401, message, fieldName);
  }
  if (!opts.quiet) showError(message + (fieldName ? t('err.field', { field: fieldName }) : ''));
  throw new ApiError(res.status, message, fieldName);
}

// The server's current minute ('yyyy-MM-dd HH:mm', Beijing) from the overview: the demo runs its
// own fast clock, so defaults (today's statements, a new demand's windows) follow the server, not
// the browser. Cached for 30 s; falls back to the browser's clock.
let clockCache = null;
export async function serverNow() {
  if (clockCache && Date.now() - clockCache.fetched < 30000) return clockCache.at;
  try {
    const ov = await api('GET', '/api/v1/overview', undefined, { quiet: true });
    clockCache = { at: ov.at, fetched: Date.now() };
    return ov.at;
  } catch (e) {
    const d = new Date(Date.now() + 8 * 3600 * 1000);
    return d.toISOString().slice(0, 16).replace('T', ' ');
  }
}

// ---- views ----
function showLogin() {
  stopPage();
  document.getElementById('app-view').hidden = true;
  document.getElementById('login-view').hidden = false;
  document.getElementById('login-username').focus();
}

function showApp() {
  document.getElementById('login-view').hidden = true;
  document.getElementById('app-view').hidden = false;
  document.getElementById('header-user').textContent = t('header.user', { name: session.me.display_name || session.me.username });
  renderNav();
  if (session.me.must_change_password) showNotice(t('pw.must'));
}

function allowedRoutes() {
  return ROUTES.filter((r) => r.perm.some((p) => can(p)));
}

function renderNav() {
  const nav = document.getElementById('nav');
  const current = parseHash().route;
  nav.replaceChildren(
    ...allowedRoutes().map((r) =>
      h('a', { href: '#/' + r.name, class: 'nav-item' + (r.name === current ? ' active' : ''), dataset: { route: r.name } }, t('nav.' + r.name)),
    ),
  );
}

// '#/demands/T1?x=1' -> {route: 'demands', args: ['T1'], query: URLSearchParams}
export function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { route: parts[0] || '', args: parts.slice(1), query: new URLSearchParams(queryPart || '') };
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

let cleanup = null;
let generation = 0;

function stopPage() {
  generation++;
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      /* a page's cleanup must not block navigation */
    }
  }
  cleanup = null;
}

async function route() {
  if (!session.me) return;
  const { route: name, args, query } = parseHash();
  const allowed = allowedRoutes();
  const entry = allowed.find((r) => r.name === name);
  if (!entry) {
    if (allowed.length) location.replace('#/' + allowed[0].name);
    return;
  }
  stopPage();
  const gen = generation;
  renderNav();
  const root = document.getElementById('page');
  root.replaceChildren(h('p', { class: 'loading' }, t('common.loading')));
  root.dataset.page = name;
  const ctx = { alive: () => gen === generation };
  try {
    const c = await entry.page.render(root, args, query, ctx);
    if (gen === generation) cleanup = typeof c === 'function' ? c : null;
    else if (typeof c === 'function') c();
  } catch (e) {
    if (!(e instanceof ApiError)) {
      showError(t('err.generic', { status: e.message }));
      console.error(e);
    }
    if (gen === generation && root.querySelector('.loading')) root.replaceChildren();
  }
}

// ---- session ----
async function login(ev) {
  ev.preventDefault();
  clearBanner();
  const username = document.getElementById('login-username').value.trim();
  const password = document.getElementById('login-password').value;
  if (!username) return showError(t('err.required', { field: t('login.username') }));
  try {
    session.me = await api('POST', '/api/v1/login', { username, password }, { login: true, quiet: true });
  } catch (e) {
    showError(e.status === 401 ? t('login.failed') : e.message);
    return;
  }
  document.getElementById('login-password').value = '';
  showApp();
  route();
}

async function logout() {
  try {
    await api('POST', '/api/v1/logout', undefined, { quiet: true });
  } catch (e) {
    /* the session may already have ended */
  }
  session.me = null;
  clearBanner();
  showLogin();
}

async function changePassword() {
  const cur = h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password' });
  const nw = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password' });
  const body = h('div', { class: 'form' }, field(t('pw.current'), cur), field(t('pw.new'), nw));
  const ok = await confirmDialog({ message: t('pw.title'), body, danger: false });
  if (!ok) return;
  try {
    await api('POST', '/api/v1/me/password', { current_password: cur.value, new_password: nw.value });
    session.me.must_change_password = false;
    showNotice(t('pw.done'));
  } catch (e) {
    /* banner shown */
  }
}

function switchLang() {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  applyI18n();
  if (session.me) {
    showApp();
    route();
  }
}

async function start() {
  setLang(getLang());
  applyI18n();
  document.getElementById('login-form').addEventListener('submit', login);
  document.getElementById('logout').addEventListener('click', logout);
  document.getElementById('change-password').addEventListener('click', changePassword);
  for (const b of document.querySelectorAll('.lang-toggle')) b.addEventListener('click', switchLang);
  document.getElementById('banner').addEventListener('click', clearBanner);
  window.addEventListener('hashchange', () => {
    clearBanner();
    route();
  });
  try {
    session.me = await api('GET', '/api/v1/me', undefined, { login: true, quiet: true });
  } catch (e) {
    if (e.status !== 401) showError(e.message);
    showLogin();
    return;
  }
  showApp();
  route();
}

start();
