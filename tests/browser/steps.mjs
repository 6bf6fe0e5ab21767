// Steps shared by console.test.mjs (against a running vgi) and mock.test.mjs (against the mock):
// log in, walk pages, create a demand and follow it, and the role checks. Each step prints what
// it checked; a failed assert throws and the caller exits non-zero.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

// Read at each use so a caller may point it elsewhere before the first screenshot.
export function shotDir() {
  return process.env.VGI_SCREENSHOT_DIR || '/tmp/vgi-console-shots';
}

export function ok(msg) {
  console.log('  ok  ' + msg);
}

export function creds(name) {
  const v = process.env[name];
  if (!v || !v.includes(':')) throw new Error(name + ' must be user:pass');
  const i = v.indexOf(':');
  return { user: v.slice(0, i), pass: v.slice(i + 1) };
}

// A fresh context (own cookies) at 1366x768 in the given language ('zh' default or 'en').
export async function openPage(browser, lang = 'zh') {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 } });
  await context.addInitScript((l) => localStorage.setItem('vgi.lang', l), lang);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export async function shot(page, name) {
  fs.mkdirSync(shotDir(), { recursive: true });
  const file = path.join(shotDir(), name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function login(page, base, { user, pass }) {
  await page.goto(base + '/');
  assert.match(page.url(), /\/console\/$/, '/ redirects to /console/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-username', user);
  await page.fill('#login-password', pass);
  await page.click('#login-submit');
  await page.waitForSelector('#nav a', { state: 'visible' });
  ok('logged in as ' + user);
}

export async function navRoutes(page) {
  return page.$$eval('#nav a', (as) => as.map((a) => a.dataset.route));
}

// Navigates by hash and waits until the page's marker element shows (and no loading text).
export async function visit(page, hash, selector) {
  await page.evaluate((hsh) => (location.hash = hsh), hash);
  await page.waitForSelector(selector, { state: 'visible', timeout: 15000 });
  await page.waitForFunction(() => !document.querySelector('#page .loading'));
}

export async function apiFetch(page, method, p, body) {
  return page.evaluate(
    async ([m, url, b]) => {
      const r = await fetch(url, { method: m, headers: { 'Content-Type': 'application/json' }, body: b === null ? undefined : JSON.stringify(b) });
      return { status: r.status, text: await r.text() };
    },
    [method, p, body === undefined ? null : body],
  );
}

// The same fetch, with the session's CSRF token (so a 403 can only come from the roles).
export async function apiFetchCsrf(page, method, p, body) {
  return page.evaluate(
    async ([m, url, b]) => {
      const me = await (await fetch('/api/v1/me')).json();
      const r = await fetch(url, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token }, body: JSON.stringify(b) });
      return { status: r.status, text: await r.text() };
    },
    [method, p, body],
  );
}

const ACCEPTED_OR_LATER = ['accepted', 'partially accepted', 'executing', 'completed', 'evaluated', 'settled'];

function toLocalInput(minute, addMin) {
  const d = new Date(minute.replace(' ', 'T') + ':00Z');
  d.setUTCMinutes(d.getUTCMinutes() + addMin);
  return d.toISOString().slice(0, 16);
}

// Dispatcher: create a demand through the form, watch an instruction come back accepted, see the
// execution chart and open a settlement statement. Returns the task id.
export async function dispatcherFlow(page, base, opts = {}) {
  const { acceptTimeoutMs = 120000, prefix = 'dispatcher' } = opts;
  await visit(page, '#/demands', '#demands-table');
  await shot(page, prefix + '-demands');
  await page.click('#create-demand');
  await page.waitForSelector('#demand-form');
  const now = await page.evaluate(async () => (await (await fetch('/api/v1/overview')).json()).at);
  const start = toLocalInput(now.replace(/:\d\d$/, ':00'), 120);
  const end = toLocalInput(now.replace(/:\d\d$/, ':00'), 179);
  const taskId = 'UI' + Date.now();
  await page.fill('#dm-task-id', taskId);
  await page.selectOption('#dm-type', 'peak');
  await page.selectOption('#dm-scope-kind', 'all');
  await page.fill('.window-row .w-start', start);
  await page.fill('.window-row .w-end', end);
  await page.fill('.window-row .w-target', '300');
  await shot(page, prefix + '-demand-create');
  await page.click('#dm-submit');
  await page.waitForSelector('#demand-title');
  assert.ok((await page.textContent('#demand-title')).includes(taskId), 'detail page shows the new demand');
  ok('created demand ' + taskId + ' (window ' + start + ' .. ' + end + ', 300 kW)');

  const t0 = Date.now();
  const found = await page.waitForFunction(
    (states) => {
      const el = [...document.querySelectorAll('#instructions-table .instr-state')].find((e) => states.includes(e.dataset.state));
      return el ? el.dataset.state : null;
    },
    ACCEPTED_OR_LATER,
    { timeout: acceptTimeoutMs, polling: 1000 },
  );
  ok('an instruction came back ' + (await found.jsonValue()) + ' after ' + Math.round((Date.now() - t0) / 1000) + ' s');
  const rows = await page.$$eval('#instructions-table tbody tr', (trs) => trs.length);
  assert.ok(rows >= 1, 'instructions listed');
  assert.ok(await page.$('#coverage-table tbody tr'), 'coverage per window listed');
  ok(rows + ' instruction(s) with allocation and explanation shown');
  await shot(page, prefix + '-demand-detail');

  await visit(page, '#/execution?task=' + encodeURIComponent(taskId), '#exec-chart canvas');
  assert.equal(await page.inputValue('#exec-demand'), taskId);
  const execRows = await page.$$eval('#exec-table tbody tr:not(:has(td.empty))', (trs) => trs.length);
  assert.ok(execRows >= 1, 'execution has a row per window and operator');
  ok('execution chart drawn, ' + execRows + ' window×operator row(s)');
  // The live view: the accepted window starts in two hours, so its trace has no minutes yet and
  // says so instead of drawing a chart.
  await page.waitForSelector('#exec-live .exec-trace, #exec-live-none, #exec-live-error');
  assert.equal(await page.$('#exec-live-error'), null, 'GET /api/v1/demands/{task}/execution answered');
  const waiting = await page.$$eval('#exec-live .exec-trace', (els) => els.map((e) => ({ points: e.dataset.points, note: !!e.querySelector('.exec-not-started') })));
  assert.ok(waiting.length >= 1, 'a live trace per accepted window and operator');
  assert.ok(waiting.every((w) => w.points === '0' && w.note), 'the window has not started: a note, no chart: ' + JSON.stringify(waiting));
  ok('execution live: ' + waiting.length + ' trace(s), not started yet');
  await shot(page, prefix + '-execution');

  // The chart moves: a demand of the demo's that is executing now (one is, most of the time: a
  // 30-minute window every 30 simulated minutes) gains points between two polls.
  let running = null;
  const runUntil = Date.now() + (opts.executingTimeoutMs || 180000);
  while (!running) {
    assert.ok(Date.now() < runUntil, 'a demand executes within the time limit');
    const list = JSON.parse((await apiFetch(page, 'GET', '/api/v1/demands?state=dispatched&limit=50')).text);
    for (const d of list) {
      const ex = JSON.parse((await apiFetch(page, 'GET', '/api/v1/demands/' + encodeURIComponent(d.task_id) + '/execution')).text);
      if (ex.traces.some((t) => t.minutes.length > 0 && t.end > ex.at)) { running = d.task_id; break; }
    }
    if (!running) await page.waitForTimeout(5000);
  }
  await visit(page, '#/execution?task=' + encodeURIComponent(running), '#exec-live .exec-trace-chart canvas');
  const points = () => page.$$eval('#exec-live .exec-trace', (els) => els.map((e) => Number(e.dataset.points)).reduce((a, b) => a + b, 0));
  const before = await points();
  await page.waitForTimeout(8000);  // two refreshes; the demo's clock runs a minute a second
  const after = await points();
  assert.ok(after > before, 'the live chart of ' + running + ' moved: ' + before + ' -> ' + after + ' points');
  ok('execution live: ' + running + ' moved from ' + before + ' to ' + after + ' minute points in 8 s');
  await shot(page, prefix + '-execution-live');

  // A statement exists once the engine has measured and settled a demand (the demo's first one
  // settles a few real minutes after start): look again every 5 s, by month, up to the limit.
  await visit(page, '#/settlement', '#statements-table');
  let link = await page.$('.open-statement');
  const until = Date.now() + (opts.statementTimeoutMs || 300000);
  while (!link) {
    assert.ok(Date.now() < until, 'a settlement statement appears within the time limit');
    await page.selectOption('#se-period', 'month');
    await page.click('#se-submit');
    await page.waitForSelector('#se-period');
    await page.waitForFunction(() => !document.querySelector('#page .loading'));
    link = await page.$('.open-statement');
    if (!link) {
      await page.waitForTimeout(5000);
      await page.reload();  // the same hash again would not render anew
      await page.waitForSelector('#statements-table');
      link = await page.$('.open-statement');
    }
  }
  const csv = await page.getAttribute('#csv-link', 'href');
  assert.match(csv, /^\/api\/v1\/statements\?.*format=csv/);
  await link.click();
  await page.waitForSelector('#statement #settlement-rows');
  ok('opened statement: ' + (await page.textContent('#statement h3')));
  await shot(page, prefix + '-settlement-statement');
  return taskId;
}

export async function viewerFlow(page) {
  await visit(page, '#/demands', '#demands-table');
  assert.equal(await page.$('#create-demand'), null, 'viewer has no create button');
  ok('viewer: demands page has no create button');
  const r = await apiFetchCsrf(page, 'POST', '/api/v1/demands', { type: 'peak', scope: { kind: 'all' }, windows: [{ start: '2030-01-01 10:00', end: '2030-01-01 10:59', target_kw: 100 }] });
  assert.equal(r.status, 403, 'viewer POST /api/v1/demands -> 403, got ' + r.status + ' ' + r.text);
  ok('viewer: POST /api/v1/demands answered 403');
  await shot(page, 'viewer-demands');
}

export async function auditorFlow(page) {
  const routes = await navRoutes(page);
  assert.deepEqual(routes, ['audit'], 'auditor nav has only the audit log, got ' + routes.join(','));
  ok('auditor: nav has one entry (audit)');
  await page.waitForSelector('#audit-table');
  const r = await apiFetch(page, 'GET', '/api/v1/demands');
  assert.equal(r.status, 403, 'auditor GET /api/v1/demands -> 403, got ' + r.status);
  ok('auditor: GET /api/v1/demands answered 403');
  await page.click('#audit-verify');
  await page.waitForSelector('#audit-verify-result:not([hidden])');
  ok('auditor: verify chain says: ' + (await page.textContent('#audit-verify-result')));
  await shot(page, 'auditor-audit');
}

// ---- operator platforms (peers) ----

// Counts the page's requests matching `method path` (exact path) from now on.
function countRequests(page, method, p) {
  const box = { n: 0 };
  page.on('request', (r) => {
    if (r.method() === method && new URL(r.url()).pathname === p) box.n++;
  });
  return box;
}

// Clicks `selector` and returns the parsed answer of the first `method path` request it causes.
async function clickFor(page, selector, method, p) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === p),
    page.click(selector),
  ]);
  return { status: res.status(), json: await res.json() };
}

// The key set panel shows exactly `keys` and the warning; copy puts them on the clipboard; "done"
// removes them so that no secret is left anywhere in the page.
async function checkKeysShownOnce(page, keys, { warning, prefix }) {
  await page.waitForSelector('#peer-keys', { state: 'visible' });
  assert.ok(!/\b(null|undefined)\b/.test(await page.innerText('#page')), 'no "null"/"undefined" printed on the page');
  for (const k of ['operator_id', 'operator_secret', 'data_secret', 'data_iv', 'sig_secret']) {
    assert.equal(await page.textContent('#peer-keys .key-' + k), keys[k], 'the panel shows ' + k);
  }
  const shownWarning = await page.textContent('#peer-keys .keyset-warning');
  if (warning) assert.equal(shownWarning, warning, 'the once-only warning');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#peer-keys-copy');
  await page.waitForSelector('#banner.notice:not([hidden])');
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(clip.includes('OperatorSecret: ' + keys.operator_secret) && clip.includes('SigSecret: ' + keys.sig_secret), 'copy puts the keys on the clipboard: ' + clip);
  await shot(page, prefix + '-keys');
  await page.click('#peer-keys-done');
  assert.equal(await page.$('#peer-keys'), null, 'the key panel is gone after "done"');
  const html = await page.content();
  for (const k of ['operator_secret', 'data_secret', 'data_iv', 'sig_secret']) assert.ok(!html.includes(keys[k]), k + ' is gone from the DOM');
  ok('keys of ' + keys.operator_id + ' shown once with the warning, copied, gone from the DOM after "done"');
}

// System administrator: onboard `operatorId`; the keys are shown once; a duplicate is refused (409).
// Returns the key set the API issued.
export async function peerOnboardFlow(page, { operatorId, name, baseUrl, warning, prefix }) {
  await visit(page, '#/peers', '#peers-table');
  const posts = countRequests(page, 'POST', '/api/v1/peers');
  await page.fill('#peer-id', operatorId.toLowerCase().slice(0, 8));
  await page.fill('#peer-name', name);
  await page.fill('#peer-url', baseUrl);
  await page.click('#peer-create');
  await page.waitForSelector('#banner.error:not([hidden])');
  await page.fill('#peer-id', operatorId);
  await page.fill('#peer-url', baseUrl.replace(/^https:/, 'http:'));
  await page.click('#peer-create');
  await page.waitForSelector('#banner.error:not([hidden])');
  assert.equal(posts.n, 0, 'a bad OperatorID or a plain-http URL is refused before any request');
  ok('onboard: bad OperatorID and http URL refused in the page');
  await page.fill('#peer-url', baseUrl);
  const r = await clickFor(page, '#peer-create', 'POST', '/api/v1/peers');
  assert.equal(r.status, 201, 'POST /api/v1/peers -> 201, got ' + r.status + ' ' + JSON.stringify(r.json));
  assert.equal(r.json.peer.operator_id, operatorId);
  await checkKeysShownOnce(page, r.json.keys, { warning, prefix });
  await page.waitForSelector('#peers-table tr[data-operator="' + operatorId + '"][data-enabled="true"]');
  ok('onboard: ' + operatorId + ' is in the list, enabled');
  await page.fill('#peer-id', operatorId);
  await page.fill('#peer-name', name);
  await page.fill('#peer-url', baseUrl);
  const dup = await clickFor(page, '#peer-create', 'POST', '/api/v1/peers');
  assert.equal(dup.status, 409, 'a second onboarding of ' + operatorId + ' -> 409');
  await page.waitForSelector('#banner.error:not([hidden])');
  assert.ok((await page.textContent('#banner')).includes(dup.json.error), 'the banner shows the API error');
  assert.equal(await page.$('#peer-keys'), null, 'no keys after a refusal');
  ok('onboard: a duplicate OperatorID is refused: ' + (await page.textContent('#banner')));
  return r.json.keys;
}

// System administrator: disabling asks for confirmation; dismissing sends nothing.
export async function peerDisableFlow(page, operatorId, prefix) {
  const row = '#peers-table tr[data-operator="' + operatorId + '"]';
  const posts = countRequests(page, 'POST', '/api/v1/peers/' + operatorId + '/disable');
  await page.click(row + ' .peer-toggle');
  await page.waitForSelector('#modal:not([hidden])');
  assert.ok((await page.textContent('#modal-body')).includes(operatorId), 'the modal names the operator');
  await shot(page, prefix + '-disable-confirm');
  await page.click('#modal-cancel');
  assert.ok(await page.isHidden('#modal'));
  assert.equal(posts.n, 0, 'no disable sent after "cancel"');
  await page.click(row + ' .peer-toggle');
  const r = await clickFor(page, '#modal-ok', 'POST', '/api/v1/peers/' + operatorId + '/disable');
  assert.equal(r.status, 200);
  assert.equal(r.json.enabled, false);
  await page.waitForSelector(row + '[data-enabled="false"]');
  ok('disable ' + operatorId + ': dismissing sends nothing, confirming disables it');
  await shot(page, prefix + '-disabled');
}

// Security administrator (no manage_peers): a rotate form instead of the list; a new key set is
// shown once; an unknown operator is a 404 in the banner.
export async function peerRotateFlow(page, { operatorId, before, warning, prefix }) {
  await visit(page, '#/peers', '#peer-rotate-form');
  assert.equal(await page.$('#peers-table'), null, 'no list without manage_peers');
  assert.equal(await page.$('#peer-form'), null, 'no onboarding without manage_peers');
  await page.fill('#rotate-id', 'abc');
  await page.click('#rotate-submit');
  await page.waitForSelector('#banner.error:not([hidden])');
  assert.ok(await page.isHidden('#modal'), 'a bad OperatorID does not reach the confirmation');
  await page.fill('#rotate-id', operatorId);
  await page.click('#rotate-submit');
  await page.waitForSelector('#modal:not([hidden])');
  await shot(page, prefix + '-rotate-confirm');
  const r = await clickFor(page, '#modal-ok', 'POST', '/api/v1/peers/' + operatorId + '/rotate');
  assert.equal(r.status, 200, 'rotate -> 200, got ' + r.status);
  if (before) assert.notEqual(r.json.operator_secret, before.operator_secret, 'rotation issues a new secret');
  await checkKeysShownOnce(page, r.json, { warning, prefix: prefix + '-rotate' });
  await page.fill('#rotate-id', 'NOSUCH999');
  await page.click('#rotate-submit');
  const miss = await clickFor(page, '#modal-ok', 'POST', '/api/v1/peers/NOSUCH999/rotate');
  assert.equal(miss.status, 404);
  await page.waitForSelector('#banner.error:not([hidden])');
  assert.ok((await page.textContent('#banner')).includes(miss.json.error));
  assert.equal(await page.$('#peer-keys'), null);
  ok('rotate: an unknown OperatorID is refused: ' + (await page.textContent('#banner')));
  return r.json;
}
