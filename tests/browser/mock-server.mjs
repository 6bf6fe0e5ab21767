// A stand-in for vgi while its console API is being written: serves web/ at /console/ (and
// redirects / there) and answers /api/v1/* with fixed data shaped per
// libs/console/api/openapi.json. Every JSON answer is checked against the document's schema for
// that route and status; a mismatch is recorded in `violations` so the test fails on it.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

// Stands for the server's server.limits.max_body_bytes (8 MiB by default): a bigger request body
// gets the HTTP server's plain-text 413 before the API sees it.
const MAX_BODY_BYTES = 1 << 20;

const PERMS = {
  dispatcher: ['read_business', 'manage_demands', 'ack_alarms', 'read_sensitive'],
  viewer: ['read_business'],
  sysadmin: ['manage_users', 'manage_peers'],
  secadmin: ['manage_roles'],
  auditor: ['read_audit'],
};

// ---- a small JSON-schema check: $ref, type (or list), enum, properties/required, items, allOf, oneOf ----
export function validate(doc, schema, value, where = '$') {
  if (schema.$ref) return validate(doc, doc.components.schemas[schema.$ref.split('/').pop()], value, where);
  const errs = [];
  if (schema.allOf) for (const s of schema.allOf) errs.push(...validate(doc, s, value, where));
  if (schema.oneOf && !schema.oneOf.some((s) => validate(doc, s, value, where).length === 0)) errs.push(where + ': matches no oneOf');
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return [where + ': ' + actual + ' is not ' + types.join('|')];
  }
  if (schema.enum && !schema.enum.includes(value)) errs.push(where + ': ' + JSON.stringify(value) + ' not in enum');
  if (schema.properties && value && typeof value === 'object') {
    for (const r of schema.required || []) if (!(r in value)) errs.push(where + '.' + r + ': missing');
    for (const [k, s] of Object.entries(schema.properties)) if (k in value) errs.push(...validate(doc, s, value[k], where + '.' + k));
  }
  if (schema.items && Array.isArray(value)) value.forEach((v, i) => errs.push(...validate(doc, schema.items, v, where + '[' + i + ']')));
  return errs;
}

function findOperation(doc, method, pathname) {
  for (const [tpl, ops] of Object.entries(doc.paths)) {
    const re = new RegExp('^' + tpl.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    if (re.test(pathname) && ops[method.toLowerCase()]) return ops[method.toLowerCase()];
  }
  return null;
}

const pad = (n) => String(n).padStart(2, '0');
function bjNow() {
  const d = new Date(Date.now() + 8 * 3600e3);
  return { day: d.toISOString().slice(0, 10), minute: d.toISOString().slice(0, 16).replace('T', ' ') };
}

function fixtures() {
  const { day, minute } = bjNow();
  const totals = (key, name, n, load) => ({ key, name, stations: n, load_kw: load, top_kw: load * 1.4, bottom_kw: load * 0.5, down_kw: load * 0.5, up_kw: load * 0.4 });
  const opNames = { SIM000001: '模拟运营商一', SIM000002: '模拟运营商二', SIM000003: '模拟运营商三' };
  const curve = (f) => Array.from({ length: 1440 }, (_, m) => Math.round((1000 + 600 * Math.sin((m / 1440) * 2 * Math.PI - 1.5)) * f * 100) / 100);
  const stations = [];
  for (const op of Object.keys(opNames)) {
    for (let i = 1; i <= 30; ++i) {
      stations.push({ operator_id: op, station_code: 'ST' + op.slice(-2) + pad(i), name: op + ' 第' + i + '充电站', area_code: i % 2 ? '120101' : '110105', address: '天津市和平区' + i + '号',
        state: 50, stakes: 10, rated_kw: 600, latest: i % 7 === 0 ? null : { at: minute, kw: 120 + i, top_kw: 600, bottom_kw: 0 } });
    }
  }
  return {
    day, minute, opNames, stations,
    overview: { at: minute, total: totals('all', '全部', 90, 3600), by_operator: Object.entries(opNames).map(([k, n], i) => totals(k, n, 30, 1000 + 300 * i)),
      by_area: [totals('11', '', 45, 1700), totals('12', '', 45, 1900)], demands_active: 1, instructions_active: 2, alarms_open: 2 },
    curve: { day, load_kw: curve(3), down_kw: curve(1.5), up_kw: curve(1.2), stations_present: Array(1440).fill(90) },
    operators: Object.entries(opNames).map(([k, n], i) => ({ operator_id: k, name: n, enabled: true, stations: 30, stakes: 300, stations_reporting: 30 - i * 5,
      quality_24h_percent: [99.6, 96.2, 88.4][i], quality_ok: i < 2 })),
    alarms: [
      { id: 1, time: minute, type: 'execution.shortfall', level: 'major', state: 'open', module: 'engine', title: 'operator below its target',
        detail: 'SIM000003 MOCK-SEED-1-003: below 80 % of its 300.00 kW target for 10 minutes up to ' + minute + ' (response 120.00 kW)', count: 3, first_at: minute, last_at: minute },
      { id: 2, time: minute, type: 'data', level: 'warning', state: 'open', module: 'ingest', title: 'SIM000003 数据缺失', detail: '24 小时数据质量 88.4%', count: 1, first_at: minute, last_at: minute },
    ],
    users: [
      { username: 'disp', display_name: '调度员甲', roles: ['dispatcher'], enabled: true, must_change_password: false, created_at: minute, updated_at: minute },
      { username: 'view', display_name: '查看员乙', roles: ['viewer'], enabled: true, must_change_password: false, created_at: minute, updated_at: minute },
      { username: 'audit', display_name: '审计员丙', roles: ['auditor'], enabled: true, must_change_password: false, created_at: minute, updated_at: minute },
      { username: 'sys', display_name: '系统管理员', roles: ['sysadmin'], enabled: true, must_change_password: false, created_at: minute, updated_at: minute },
      { username: 'sec', display_name: '安全管理员', roles: ['secadmin'], enabled: true, must_change_password: false, created_at: minute, updated_at: minute },
    ],
    demands: new Map(),
    audit: Array.from({ length: 5 }, (_, i) => ({ seq: i + 1, at: day + ' 08:0' + i + ':00', username: 'disp', source: '127.0.0.1', operation: i ? 'demand.create' : 'login',
      object: i ? 'T' + i : 'disp', result: 'ok', detail: '', hash: crypto.createHash('sha256').update(String(i)).digest('hex') })),
  };
}

function demandDoc(f, d) {
  const age = (Date.now() - d.createdMs) / 1000;
  const accepted = age > 3 && d.state !== 'cancelled';
  // `many`: one instruction per station, as an area scope makes (MOCK-MANY-1).
  const ops = d.many ? Array.from({ length: d.many }, (_, i) => 'SIM00000' + (1 + (i % 3))) : ['SIM000001', 'SIM000002'];
  const instructions = ops.map((op, i) => {
    const share = d.windows.map((w) => ({ ...w, target_kw: Math.round((w.target_kw / 2) * 100) / 100 }));
    const state = d.state === 'cancelled' ? 'cancelled' : accepted ? (i % 2 === 0 ? 'accepted' : 'rejected') : 'sent';
    const regulationId = d.many ? d.task_id + '-R' + String(i + 1).padStart(3, '0') : d.task_id + '-' + op + '-1';
    return { operator_id: op, regulation_id: regulationId, state, synchro_type: 1, range_type: d.many ? 4 : 1, adjust_ids: d.many ? ['ST' + String(i + 1).padStart(4, '0')] : [], allocated: share,
      accepted: state === 'accepted' ? share : [], explanation: d.windows.map((w) => explanationLine(w, op, 1500 - 300 * (i % 2), 30 - 5 * (i % 2))),
      note: NOTES[state], round: 1, created_at: d.created_at, updated_at: f.minute,
      measured: state === 'accepted' ? share.map((w) => ({ start: w.start, end: w.end, completion_percent: 92.5, delivered_kwh: 55.5, baseline_kw: 1000, actual_kw: 1000 - w.target_kw * 0.925 })) : [],
      baseline: state === 'accepted' ? 'high-5-of-10' : '', earnings_yuan: state === 'accepted' ? 33.3 : null };
  });
  const acc = (w) => instructions.filter((x) => x.state === 'accepted').reduce((s, x) => s + x.accepted.find((a) => a.start === w.start).target_kw, 0);
  return { task_id: d.task_id, type: d.type, state: d.state, scope: d.scope, windows: d.windows, is_force: d.is_force, created_by: d.created_by, created_at: d.created_at,
    updated_at: f.minute, instructions: instructions.length, version: d.version, accept_deadline: d.accept_deadline, note: d.note,
    coverage: d.windows.map((w) => ({ start: w.start, end: w.end, target_kw: w.target_kw, allocated_kw: w.target_kw, accepted_kw: acc(w), uncovered_kw: Math.round((w.target_kw - acc(w)) * 100) / 100 })),
    instructions_list: instructions,
    events: [d.created_at + ' created by ' + d.created_by, d.created_at + ' decomposed over ' + ops.length + ' participant(s): ' + ops.slice(0, 2).join(', '),
      ...(accepted ? instructions.map((x) => f.minute + ' ' + x.operator_id + ' ' + x.regulation_id + ': ' + x.note) : []),
      d.created_at + ' a text no engine template has'] };
}

// Texts as the engine writes them (libs/engine/src/regulator*.cpp, allocation.cpp): the console
// shows them in Chinese when it is in Chinese (web/engine_text.js).
const NOTES = { sent: 'sent', accepted: 'accepted by the operator (callback_task_overview)', rejected: 'rejected by the operator (callback_task_overview)',
  cancelled: 'cancelled by the dispatcher' };
const kw = (v) => v.toFixed(2);
export function explanationLine(w, op, potential, reporting) {
  return w.start + '–' + w.end.slice(11) + ': ' + op + ': potential ' + kw(potential) + ' kW, usable ' + kw(potential * 0.9) + ' kW after 10.00% reserve, allocated ' +
    kw(w.target_kw / 2) + ' kW (50.00% of ' + kw(w.target_kw) + ' kW); ' + reporting + ' of 30 stations reporting; similar-day forecast';
}

// Minute strings ('yyyy-MM-dd HH:mm', Beijing): n minutes later, and whole minutes from a to b.
const toMs = (m) => Date.parse(m.replace(' ', 'T') + ':00Z');
export const addMinutes = (m, n) => new Date(toMs(m) + n * 60e3).toISOString().slice(0, 16).replace('T', ' ');
const minutesBetween = (a, b) => Math.round((toMs(b) - toMs(a)) / 60e3);
const r2 = (v) => Math.round(v * 100) / 100;

// GET /demands/{task}/execution: a trace per accepted window and operator. A started window has its
// minutes up to the last complete one, plus one more per call made so far (so that a test sees the
// chart move between two polls without waiting a real minute); a window not started has none.
function executionDoc(f, d) {
  d.execCalls = (d.execCalls || 0) + 1;
  const doc = demandDoc(f, d);
  const now = bjNow().minute;
  const traces = [];
  for (const i of doc.instructions_list) {
    if (!['accepted', 'partially accepted', 'executing', 'completed', 'evaluated', 'settled'].includes(i.state)) continue;
    for (const w of i.accepted) {
      const len = minutesBetween(w.start, w.end) + 1;
      const elapsed = minutesBetween(w.start, now);
      const n = elapsed <= 0 ? 0 : Math.min(len, elapsed + d.execCalls - 1);
      const minutes = Array.from({ length: n }, (_, k) => {
        const baseline = r2(1000 + 40 * Math.sin(k / 7));
        const shift = w.target_kw * 0.9 * Math.min(1, k / 4) + 6 * Math.sin(k * 1.3);  // ramps to ~90 % of the target
        const actual = r2(d.type === 'valley' ? baseline + shift : baseline - shift);
        return { minute: addMinutes(w.start, k), baseline_kw: baseline, actual_kw: actual, response_kw: r2(d.type === 'valley' ? actual - baseline : baseline - actual) };
      });
      const avg = n ? r2(minutes.reduce((a, m) => a + m.response_kw, 0) / n) : null;
      traces.push({ operator_id: i.operator_id, regulation_id: i.regulation_id, state: n === 0 ? i.state : n >= len ? 'completed' : 'executing', start: w.start, end: w.end,
        target_kw: w.target_kw, reference: n ? 'high-5-of-10：前 10 个工作日同时段负荷最高 5 日平均' : '', minutes, response_avg_kw: avg,
        completion_percent: n ? r2((avg / w.target_kw) * 100) : null });
    }
  }
  return { task_id: d.task_id, type: d.type, at: now, traces };
}

// The grid topology file (libs/engine/include/vgi/engine/topology.hpp), read as the server does
// for the cases the tests use: the header, field counts, IDs, repeated stations. Errors are worded
// like ParseTopologyCsv's. -> {entries} or {error}.
const TOPOLOGY_COLUMNS = ['operator_id', 'station_code', 'market_id', 'transformer_area_id'];
export function parseTopologyCsv(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let columns = null;
  const entries = [];
  const seen = new Map();
  for (let i = 0; i < lines.length; ++i) {
    const line = lines[i];
    const at = 'line ' + (i + 1);
    if (!line.trim() || line.startsWith('#')) continue;
    const fields = line.split(',');
    if (!columns) {
      for (const c of TOPOLOGY_COLUMNS) {
        if (!fields.includes(c)) return { error: at + ': the header lacks column ' + c + ' (it needs ' + TOPOLOGY_COLUMNS.join(', ') + ')' };
      }
      columns = fields;
      continue;
    }
    if (fields.length !== columns.length) return { error: at + ': ' + fields.length + ' fields where the header has ' + columns.length };
    const e = Object.fromEntries(TOPOLOGY_COLUMNS.map((c) => [c, fields[columns.indexOf(c)]]));
    for (const c of ['market_id', 'transformer_area_id']) {
      if (e[c] && !/^[0-9A-Za-z_.-]{1,64}$/.test(e[c])) return { error: at + ': ' + c + ': "' + e[c] + '" is not 1..64 characters of [0-9A-Za-z_.-]' };
    }
    const key = e.operator_id + '/' + e.station_code;
    if (seen.has(key)) return { error: at + ': station ' + key + ' repeats line ' + seen.get(key) };
    seen.set(key, i + 1);
    entries.push(e);
  }
  if (!columns) return { error: 'the file has no header line (operator_id,station_code,market_id,transformer_area_id)' };
  return { entries };
}

function topologyDoc(f) {
  const topo = f.topology;
  const groups = (key) => {
    const by = new Map();
    for (const e of topo.entries) {
      if (!e[key]) continue;
      const g = by.get(e[key]) || { id: e[key], stations: 0, ops: new Set() };
      g.stations++;
      g.ops.add(e.operator_id);
      by.set(e[key], g);
    }
    return [...by.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((g) => ({ id: g.id, stations: g.stations, operators: g.ops.size }));
  };
  const modelled = new Set(f.stations.map((s) => s.operator_id + '/' + s.station_code));
  return { version: topo.version, imported_at: topo.imported_at, source: topo.source, stations: topo.entries.length,
    unmodelled: topo.entries.filter((e) => !modelled.has(e.operator_id + '/' + e.station_code)).length,
    markets: groups('market_id'), transformer_areas: groups('transformer_area_id') };
}

function summary(doc) {
  const { task_id, type, state, scope, windows, is_force, created_by, created_at, updated_at, instructions } = doc;
  return { task_id, type, state, scope, windows, is_force, created_by, created_at, updated_at, instructions };
}

// startMock({webDir, openapi, users: {name: {password, roles, display_name}}}) -> {url, close, violations, requests, issued}
export async function startMock({ webDir, openapiPath, users }) {
  const doc = JSON.parse(fs.readFileSync(openapiPath, 'utf8'));
  const f = fixtures();
  const sessions = new Map();
  const violations = [];
  const requests = [];
  const seed = { task_id: 'MOCK-SEED-1', type: 'peak', state: 'dispatched', scope: { kind: 'all' }, windows: [{ start: f.day + ' 18:00', end: f.day + ' 18:59', target_kw: 800 }],
    is_force: false, created_by: 'disp', created_at: f.day + ' 08:00', version: 1, accept_deadline: f.day + ' 17:30', note: '晚高峰削峰', createdMs: 0 };
  // For the live execution view: one window started 20 minutes ago, one starting in two hours
  // (SIM000001 accepts both: two traces). Set first so that the seed stays the default demand.
  const execDemand = { task_id: 'MOCK-EXEC-1', type: 'peak', state: 'dispatched', scope: { kind: 'all' },
    windows: [{ start: addMinutes(f.minute, -20), end: addMinutes(f.minute, 39), target_kw: 600 }, { start: addMinutes(f.minute, 120), end: addMinutes(f.minute, 179), target_kw: 600 }],
    is_force: false, created_by: 'disp', created_at: addMinutes(f.minute, -90), version: 1, accept_deadline: addMinutes(f.minute, -30), note: '实时执行演示', createdMs: 0 };
  // An area scope's demand: 230 station instructions (the detail page shows them a page at a time).
  const many = { ...seed, task_id: 'MOCK-MANY-1', scope: { kind: 'areas', ids: ['1201'] }, note: '区域削峰', many: 230 };
  f.demands.set(many.task_id, many);
  f.demands.set(execDemand.task_id, execDemand);
  f.demands.set(seed.task_id, seed);
  let nextTask = 1;
  // The grid topology: nothing imported until a test imports a file.
  f.topology = { version: 0, imported_at: null, source: '', entries: [] };
  // Peers: seeded from the operators; every key set the mock hands out is kept in `issued` so the
  // test can check the page showed exactly that set, and only once.
  f.peers = f.operators.map((o) => ({ operator_id: o.operator_id, name: o.name, base_url: 'https://127.0.0.1:9443/evcs/v1', enabled: true }));
  const issued = [];
  const secret = () => crypto.randomBytes(12).toString('base64').replace(/[^0-9A-Za-z]/g, 'x').slice(0, 16);
  const keySet = (operator_id) => ({ operator_id, operator_secret: secret(), data_secret: secret(), data_iv: secret(), sig_secret: secret(),
    note: 'Shown once: hand the keys to the operator over a secure channel' });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (raw.length > MAX_BODY_BYTES) {
      requests.push(req.method + ' ' + url.pathname + ' 413');
      res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      return res.end('request body too large\n');
    }
    requests.push(req.method + ' ' + url.pathname);
    const send = (status, body, headers = {}) => {
      if (url.pathname.startsWith('/api/v1/') && body !== undefined) {
        const op = findOperation(doc, req.method, url.pathname);
        const resp = op && op.responses[String(status)];
        const schema = resp && resp.content && resp.content['application/json'] && resp.content['application/json'].schema;
        if (!op || !resp) violations.push(req.method + ' ' + url.pathname + ' ' + status + ': not in openapi.json');
        else if (schema) for (const e of validate(doc, schema, body)) violations.push(req.method + ' ' + url.pathname + ' ' + status + ' ' + e);
      }
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    // static
    if (url.pathname === '/') {
      res.writeHead(302, { Location: '/console/' });
      return res.end();
    }
    if (url.pathname.startsWith('/console/')) {
      let rel = url.pathname.slice('/console/'.length) || 'index.html';
      const file = path.resolve(webDir, rel);
      if (!file.startsWith(path.resolve(webDir) + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404);
        return res.end('not found');
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      return res.end(fs.readFileSync(file));
    }
    if (!url.pathname.startsWith('/api/v1/')) {
      res.writeHead(404);
      return res.end();
    }
    const p = url.pathname.slice('/api/v1/'.length);
    let body = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch (e) {
        return send(400, { error: 'The request is not valid JSON' });
      }
    }
    if (p === 'login' && req.method === 'POST') {
      const u = users[body && body.username];
      if (!u || u.password !== body.password) return send(401, { error: 'Wrong username or password' });
      const token = crypto.randomBytes(16).toString('hex');
      const me = { username: body.username, display_name: u.display_name, roles: u.roles, permissions: [...new Set(u.roles.flatMap((r) => PERMS[r]))],
        csrf_token: crypto.randomBytes(16).toString('hex'), must_change_password: false, idle_timeout_s: 1800 };
      sessions.set(token, me);
      return send(200, me, { 'Set-Cookie': 'vgi_session=' + token + '; HttpOnly; SameSite=Strict; Path=/' });
    }
    const cookie = /(?:^|;\s*)vgi_session=([^;]+)/.exec(req.headers.cookie || '');
    const me = cookie && sessions.get(cookie[1]);
    if (!me) return send(401, { error: 'No session or the session ended: log in again' });
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== me.csrf_token) return send(403, { error: 'Missing or wrong X-CSRF-Token: reload the page' });
    const op = findOperation(doc, req.method, url.pathname);
    if (!op) return send(404, { error: 'No such route' });
    const perm = op['x-vgi-permission'];
    if (perm !== 'session' && !perm.split('|').some((x) => me.permissions.includes(x))) return send(403, { error: 'Your roles do not allow this' });
    const parts = p.split('/').map(decodeURIComponent);
    const q = url.searchParams;

    if (p === 'logout') {
      sessions.delete(cookie[1]);
      res.writeHead(204);
      return res.end();
    }
    if (p === 'me') return send(200, me);
    if (p === 'me/password') {
      res.writeHead(204);
      return res.end();
    }
    if (p === 'overview') return send(200, f.overview);
    if (p === 'overview/curve') return send(200, { ...f.curve, day: q.get('day') || f.day });
    if (p === 'operators') return send(200, f.operators);
    if (p === 'stations') {
      const size = Number(q.get('page_size') || 50);
      const page = Number(q.get('page') || 1);
      const needle = (q.get('q') || '').toLowerCase();
      const all = f.stations.filter((s) => (!q.get('operator') || s.operator_id === q.get('operator')) &&
        (!needle || (s.station_code + s.name + s.area_code).toLowerCase().includes(needle)));
      const items = all.slice((page - 1) * size, page * size).map((s) => (me.permissions.includes('read_sensitive') ? s : { ...s, name: s.name[0] + '***' + s.name.slice(-1), address: '天****号' }));
      return send(200, { total: all.length, page, page_size: size, items });
    }
    if (parts[0] === 'stations') {
      const s = f.stations.find((x) => x.operator_id === parts[1] && x.station_code === parts[2]);
      if (!s) return send(404, { error: 'No such station: check the operator and station code' });
      if (parts[3] === 'curve') {
        const kw = f.curve.load_kw.map((v, m) => (m % 97 === 5 ? null : Math.round(v / 30 * 100) / 100));
        return send(200, { operator_id: s.operator_id, station_code: s.station_code, day: q.get('day') || f.day, kw, top_kw: 600, bottom_kw: 0, present_minutes: kw.filter((v) => v !== null).length });
      }
      const stakes = Array.from({ length: s.stakes }, (_, i) => ({ code: s.station_code + '-' + pad(i + 1), type: 1 + (i % 3), state: 2, rated_kw: 60, top_kw: 60, bottom_kw: 0, retired: i === 9 }));
      return send(200, { ...s, credit_code: '91120000MA000000X' + s.station_code.slice(-1), stakes_list: stakes });
    }
    if (p === 'demands' && req.method === 'GET') {
      const list = [...f.demands.values()].filter((d) => !q.get('state') || d.state === q.get('state')).reverse().map((d) => summary(demandDoc(f, d)));
      return send(200, list);
    }
    if (p === 'demands' && req.method === 'POST') {
      if (!body || !Array.isArray(body.windows) || !body.windows.length) return send(400, { error: 'Give at least one window', field: 'windows' });
      const task_id = body.task_id || 'MOCK-' + f.day.replace(/-/g, '') + '-' + nextTask++;
      if (f.demands.has(task_id)) return send(409, { error: 'The taskID is taken: choose another', field: 'task_id' });
      const d = { task_id, type: body.type, state: 'dispatched', scope: body.scope, windows: body.windows, is_force: !!body.is_force, created_by: me.username,
        created_at: f.minute, version: 1, accept_deadline: body.accept_deadline || body.windows[0].start, note: body.note || '', createdMs: Date.now() };
      f.demands.set(task_id, d);
      return send(201, demandDoc(f, d));
    }
    if (parts[0] === 'demands') {
      const d = f.demands.get(parts[1]);
      if (!d) return send(404, { error: 'No such demand' });
      if (parts[2] === 'execution') return send(200, executionDoc(f, d));
      if (parts[2] === 'cancel') {
        if (d.state === 'cancelled' || d.state === 'done') return send(409, { error: 'The demand is already done or cancelled' });
        d.state = 'cancelled';
        d.version++;
      } else if (parts[2] === 'change') {
        d.windows = body.windows;
        d.version++;
      }
      return send(200, demandDoc(f, d));
    }
    if (p === 'statements') {
      const period = q.get('period') === 'month' ? 'month' : 'day';
      const rows = f.operators.map((o, i) => ({ operator_id: o.operator_id, period: period === 'month' ? f.day.slice(0, 7) : f.day, instructions: 3 - i, target_kwh: 900 - 100 * i,
        delivered_kwh: 850 - 150 * i, paid_kwh: 840 - 150 * i, payments_yuan: 504 - 90 * i, penalties_yuan: 10 * i, earnings_yuan: 504 - 100 * i }))
        .filter((s) => !q.get('operator') || s.operator_id === q.get('operator'));
      if (q.get('format') === 'csv') {
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
        return res.end('operator_id,period,earnings_yuan\n' + rows.map((r) => r.operator_id + ',' + r.period + ',' + r.earnings_yuan).join('\n') + '\n');
      }
      return send(200, rows);
    }
    if (p === 'reports') {
      const period = q.get('period');
      const date = q.get('date') || '';
      const forms = { day: /^\d{4}-\d{2}-\d{2}$/, month: /^\d{4}-\d{2}$/, year: /^\d{4}$/ };
      if (!forms[period]) return send(400, { error: 'period: "' + (period || '') + '" must be day, month or year', field: 'period' });
      if (!forms[period].test(date)) return send(400, { error: 'date: "' + date + '" is not a ' + period, field: 'date' });
      if (date > f.day.slice(0, date.length)) return send(400, { error: 'date: ' + date + ' has not happened yet', field: 'date' });
      const operator = q.get('operator') || null;
      const ops = f.operators.filter((o) => !operator || o.operator_id === operator);
      const from = period === 'day' ? date : period === 'month' ? date + '-01' : date + '-01-01';
      const to = period === 'day' ? date : f.day.startsWith(date) ? f.day : period === 'month' ? date + '-28' : date + '-12-31';
      const series = period === 'day' ? Array.from({ length: 24 }, (_, i) => ({ label: pad(i) + ':00', energy_kwh: Math.round(f.curve.load_kw[i * 60] * 100) / 100 }))
        : period === 'month' ? Array.from({ length: Number(to.slice(8)) }, (_, i) => ({ label: date + '-' + pad(i + 1), energy_kwh: 24000 + 300 * (i % 5) }))
          : Array.from({ length: Number(to.slice(5, 7)) }, (_, i) => ({ label: date + '-' + pad(i + 1), energy_kwh: 720000 + 9000 * (i % 4) }));
      const scale = series.reduce((a, x) => a + x.energy_kwh, 0) / 3;
      const load = ops.map((o, i) => ({ operator_id: o.operator_id, name: o.name, energy_kwh: Math.round(scale * (1 - 0.1 * i) * 100) / 100, peak_kw: 1600 - 100 * i,
        peak_at: to + ' 19:0' + i, valley_kw: 400 + 50 * i, valley_at: from + ' 04:1' + i, average_kw: 1000 - 80 * i, data_quality_percent: o.quality_24h_percent }));
      const sum = (k) => Math.round(load.reduce((a, x) => a + x[k], 0) * 100) / 100;
      const total = { operator_id: 'total', name: '', energy_kwh: sum('energy_kwh'), peak_kw: sum('peak_kw'), peak_at: to + ' 19:00', valley_kw: sum('valley_kw'),
        valley_at: from + ' 04:10', average_kw: sum('average_kw'), data_quality_percent: 94.7 };
      const demands = [{ task_id: 'MOCK-SEED-1', type: 'peak', state: 'done', start: from + ' 18:00', target_kwh: 800, accepted_kwh: 760, delivered_kwh: 702.5, completion_percent: 87.8 },
        { task_id: 'MOCK-SEED-0', type: 'valley', state: 'cancelled', start: from + ' 02:00', target_kwh: 300, accepted_kwh: 0, delivered_kwh: 0, completion_percent: 0 }];
      const settle = ops.map((o, i) => ({ operator_id: o.operator_id, instructions: 3 - i, target_kwh: 900 - 100 * i, delivered_kwh: 850 - 150 * i,
        payments_yuan: 504 - 90 * i, penalties_yuan: 10 * i, earnings_yuan: 504 - 100 * i }));
      const ssum = (k) => settle.reduce((a, x) => a + x[k], 0);
      const settlement = { by_operator: settle, total: { operator_id: 'total', instructions: ssum('instructions'), target_kwh: ssum('target_kwh'), delivered_kwh: ssum('delivered_kwh'),
        payments_yuan: ssum('payments_yuan'), penalties_yuan: ssum('penalties_yuan'), earnings_yuan: ssum('earnings_yuan') } };
      if (q.get('format') === 'csv') {
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="vgi-report-' + period + '-' + date + '.csv"' });
        return res.end('# load\r\noperator_id,name,energy_kwh\r\n' + load.map((l) => l.operator_id + ',' + l.name + ',' + l.energy_kwh).join('\r\n') + '\r\n\r\n# response\r\n\r\n# settlement\r\n');
      }
      return send(200, { period, date, from, to, operator, load: { by_operator: load, total, series },
        response: { demands, total: { demands: 2, target_kwh: 1100, accepted_kwh: 760, delivered_kwh: 702.5, completion_percent: 63.9 } }, settlement });
    }
    if (p === 'settlements') {
      return send(200, [1, 2].map((i) => ({ operator_id: q.get('operator') || 'SIM000001', regulation_id: 'MOCK-SEED-1-R' + i, task_id: 'MOCK-SEED-1', day: q.get('from') || f.day, delivered_kwh: 400 + i, earnings_yuan: 240 + i, state: 'pushed' })));
    }
    if (p === 'alarms') return send(200, f.alarms.filter((a) => q.get('include_closed') === 'true' || a.state !== 'closed'));
    if (parts[0] === 'alarms') {
      const a = f.alarms.find((x) => String(x.id) === parts[1]);
      if (!a) return send(404, { error: 'No such alarm' });
      a.state = parts[2] === 'ack' ? 'acknowledged' : 'closed';
      return send(200, a);
    }
    if (p === 'users' && req.method === 'GET') return send(200, f.users);
    if (p === 'users' && req.method === 'POST') {
      if (f.users.some((u) => u.username === body.username)) return send(409, { error: 'The username is taken: choose another', field: 'username' });
      const u = { username: body.username, display_name: body.display_name, roles: [], enabled: true, must_change_password: true, created_at: f.minute, updated_at: f.minute };
      f.users.push(u);
      return send(201, u);
    }
    if (parts[0] === 'users') {
      const u = f.users.find((x) => x.username === parts[1]);
      if (!u) return send(404, { error: 'No such user' });
      if (parts[2] === 'roles') {
        const admin = body.roles.filter((r) => ['sysadmin', 'secadmin', 'auditor'].includes(r));
        if (!body.roles.length || (admin.length && body.roles.length > 1)) return send(400, { error: 'These roles cannot be held by one account (separation of duties)', field: 'roles' });
        u.roles = body.roles;
      } else if (parts[2] === 'password') u.must_change_password = true;
      else if (parts[2] === 'enable') u.enabled = true;
      else if (parts[2] === 'disable') {
        if (u.username === me.username) return send(409, { error: 'You cannot disable yourself' });
        u.enabled = false;
      }
      return send(200, u);
    }
    if (p === 'peers' && req.method === 'GET') return send(200, f.peers);
    if (p === 'peers' && req.method === 'POST') {
      if (!body || typeof body !== 'object') return send(400, { error: 'Give operator_id, name and base_url' });
      if (typeof body.operator_id !== 'string' || !/^[0-9A-Z]{9}$/.test(body.operator_id)) return send(400, { error: 'The OperatorID must be 9 characters of 0-9 and A-Z', field: 'operator_id' });
      if (typeof body.name !== 'string' || !body.name.trim()) return send(400, { error: 'Give the operator a name', field: 'name' });
      if (typeof body.base_url !== 'string' || !/^https:\/\/[^/\s]+/.test(body.base_url)) return send(400, { error: 'The base URL must start with https://', field: 'base_url' });
      if (f.peers.some((x) => x.operator_id === body.operator_id)) return send(409, { error: 'The OperatorID exists: rotate its keys instead', field: 'operator_id' });
      const peer = { operator_id: body.operator_id, name: body.name.trim(), base_url: body.base_url, enabled: true };
      f.peers.push(peer);
      const keys = keySet(peer.operator_id);
      issued.push(keys);
      return send(201, { peer, keys });
    }
    if (parts[0] === 'peers' && parts.length === 3) {
      const peer = f.peers.find((x) => x.operator_id === parts[1]);
      if (!peer) return send(404, { error: 'No such operator: check the OperatorID' });
      if (parts[2] === 'rotate') {
        const keys = keySet(peer.operator_id);
        issued.push(keys);
        return send(200, keys);
      }
      peer.enabled = parts[2] === 'enable';
      return send(200, peer);
    }
    if (p === 'topology' && req.method === 'GET') return send(200, topologyDoc(f));
    if (p === 'topology.csv') {
      res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="vgi-topology-v' + f.topology.version + '.csv"' });
      return res.end(TOPOLOGY_COLUMNS.join(',') + '\r\n' + f.topology.entries.map((e) => TOPOLOGY_COLUMNS.map((c) => e[c]).join(',') + '\r\n').join(''));
    }
    if (p === 'topology' && req.method === 'POST') {
      if (!body || typeof body.csv !== 'string') return send(400, { error: 'csv: is required', field: 'csv' });
      const parsed = parseTopologyCsv(body.csv);
      if (parsed.error) return send(400, { error: parsed.error, field: 'csv' });
      f.topology = { version: f.topology.version + 1, imported_at: bjNow().minute, source: (body.source || 'console') + ' by ' + me.username, entries: parsed.entries };
      return send(200, topologyDoc(f));
    }
    if (p === 'audit') {
      const after = Number(q.get('after') || 0);
      const rows = f.audit.filter((r) => r.seq > after);
      return send(200, { rows, next_after: rows.length ? rows[rows.length - 1].seq : after });
    }
    if (p === 'audit/verify') return send(200, { ok: false, rows: f.audit.length, head_seq: 5, head_hash: f.audit[4].hash, break: { seq: 3, reason: 'hash mismatch: row edited' } });
    return send(404, { error: 'No such route' });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: 'http://127.0.0.1:' + port, violations, requests, issued, close: () => new Promise((r) => server.close(r)) };
}
