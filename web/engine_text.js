// The regulation engine writes its texts in English into the documents the API returns: demand
// events, an instruction's note, explanation lines and baseline, alarm titles and details
// (libs/engine/src/regulator*.cpp, allocation.cpp, baseline.cpp, libs/relay/src/outbox_relay.cpp).
// engineText(text, 'zh') recognises each of those templates with an anchored regular expression
// and renders it in Chinese, keeping its parameters (IDs, numbers, times, operators' messages)
// verbatim; a nested reason ("not measured yet: <reason>") is translated the same way. A text no
// template matches comes back exactly as it came, so nothing is ever dropped or half-translated.
// No DOM here: node unit tests import this module (tests/browser/engine_text.test.mjs).

const MINUTE = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}';
const WINDOW = MINUTE + '–\\d{2}:\\d{2}';
const NUM = '-?\\d+(?:\\.\\d+)?';
// outbox_relay.cpp Describe(): "outbox #7 send_task to OP (regulationID REG)".
const OUTBOX = 'outbox #(\\d+) (\\S+) to (\\S+)(?: \\(regulationID (\\S+)\\))?';

const re = (source) => new RegExp('^' + source + '$', 's');
const outbox = (id, iface, op, reg) => `outbox #${id} ${iface}（发往 ${op}${reg ? '，regulationID ' + reg : ''}）`;
const ret = (n, msg) => `Ret ${n}${msg ? ' ' + msg : ''}`;

// A nested reason: translated when it is an engine text, else kept as it is.
const sub = (s) => translate(s) ?? s;

// allocation.cpp ExplainText(): one participant's share of one window.
const EXPLAIN = re(`(.+?): potential (${NUM}) kW, usable (${NUM}) kW after (${NUM})% reserve, allocated (${NUM}) kW ` +
  `\\((${NUM})% of (${NUM}) kW\\)(, capped at usable potential|, capped at its limit)?`);
const CAP = { ', capped at usable potential': '，以可用潜力为上限', ', capped at its limit': '，以其限值为上限' };
function explain(s) {
  const m = EXPLAIN.exec(s);
  if (!m) return null;
  const [, id, potential, usable, reserve, allocated, share, covered, cap] = m;
  return `${id}：潜力 ${potential} kW，预留 ${reserve}% 备用后可用 ${usable} kW，分配 ${allocated} kW（占 ${covered} kW 的 ${share}%）${cap ? CAP[cap] : ''}`;
}

const DAY_KIND = { 'non-event weekdays': '非事件工作日', 'non-event weekend days or holidays': '非事件周末或节假日' };
const BASIS = { 'similar-day forecast': '相似日预测', 'current readings': '当前读数' };

// [pattern, render(match) -> string, or null when a part that must be an engine text is not].
// Order matters: specific templates before the general ones that could also match them.
const RULES = [
  // ---- instruction notes (regulator*.cpp, Reg::Set and SendInstruction) ----
  [re('sent'), () => '已下发'],
  [re('change sent, replacing (\\S+)'), (m) => `变更已下发，替换 ${m[1]}`],
  [re('cancel of (\\S+)'), (m) => `${m[1]} 的撤销指令`],
  [re('accepted by the operator \\(callback_task_overview\\)'), () => '运营商已接受（callback_task_overview）'],
  [re('rejected by the operator \\(callback_task_overview\\)'), () => '运营商已拒绝（callback_task_overview）'],
  [re('answered with changed targets \\(callback_task_check\\)'), () => '运营商以修改后的目标答复（callback_task_check）'],
  [re('accepted \\(query_task_result\\)'), () => '已接受（query_task_result）'],
  [re('rejected \\(query_task_result\\)'), () => '已拒绝（query_task_result）'],
  [re('not delivered: (.*)'), (m) => `未送达：${sub(m[1])}`],
  [re('refused by the operator platform: Ret (-?\\d+) ?(.*)'), (m) => `被运营商平台拒绝：${ret(m[1], m[2])}`],
  [re('no answer by the start of its first window'), () => '首个时段开始时仍未收到答复'],
  [re('replaced by a change of the demand \\((\\S+)\\)'), (m) => `因需求变更被替换（${m[1]}）`],
  [re('replaced by (\\S+)'), (m) => `已被 ${m[1]} 替换`],
  [re('dropped by a change of the demand'), () => '需求变更后不再参与'],
  [re('cancelled by the dispatcher'), () => '调度员已取消'],
  // the dispatcher's own words stay as typed
  [re('cancelled: (.*)'), (m) => `已取消：${m[1]}`],
  [re('nothing accepted to execute'), () => '没有已接受的时段可执行'],
  [re('executing'), () => '执行中'],
  [re('completed; measuring'), () => '已完成，测量中'],
  [re('not measured yet: (.*) \\(retried in 10 minutes\\)'), (m) => `尚未测量：${sub(m[1])}（10 分钟后重试）`],
  [re('not measured yet: (.*)'), (m) => `尚未测量：${sub(m[1])}`],
  [re(`measured \\(([^()]*)\\) against (.*); earnings (${NUM}) yuan; settlement pushed`),
    (m) => `已测量（${m[1]}），基线 ${sub(m[2])}；收益 ${m[3]} 元；结算已推送`],
  [re(`settled: (${NUM}) yuan pushed and acknowledged`), (m) => `已结算：${m[1]} 元已推送并获确认`],
  [re('settlement push not acknowledged: (.*)'), (m) => `结算推送未获确认：${sub(m[1])}`],
  // ---- the baseline an instruction was measured against (regulator_measure.cpp BaselineOf) ----
  [re(`(\\S+) \\(RRMSE (${NUM}) % on (\\d+) days\\)`), (m) => `${m[1]}（RRMSE ${m[2]} %，回测 ${m[3]} 天）`],
  [re('(\\S+) \\(accuracy check off\\)'), (m) => `${m[1]}（未做准确性校验）`],
  // the live watch's reference line of an execution trace (regulator_measure.cpp Execution)
  [re("the live watch's reference \\(taken at the window's start\\)"), () => '实时监测参考线（于时段开始时取得）'],
  // ---- why a measurement was refused (baseline.cpp) ----
  [re(`(\\S+): only (\\d+) (non-event weekdays|non-event weekend days or holidays) in the last (\\d+) days before (\\d{4}-\\d{2}-\\d{2}), need (\\d+)`),
    (m) => `${m[1]}：${m[5]} 之前 ${m[4]} 天内只有 ${m[2]} 个${DAY_KIND[m[3]]}，需要 ${m[6]} 个`],
  [re('(\\S+): no reference minutes on (\\d{4}-\\d{2}-\\d{2}) \\(the event starts at 00:00 and the hours after it are not available\\)'),
    (m) => `${m[1]}：${m[2]} 没有参考分钟（事件从 00:00 开始，其后时段的数据尚不可用）`],
  [re(`baseline (\\S+) refused: the mean actual load over (\\d+) back-test days is (${NUM}) kW, RRMSE is undefined`),
    (m) => `基线 ${m[1]} 不可用：${m[2]} 个回测日的平均实际负荷为 ${m[3]} kW，RRMSE 无定义`],
  [re(`baseline (\\S+) refused: RRMSE (${NUM}) % on (\\d+) back-test days exceeds (${NUM}) %`),
    (m) => `基线 ${m[1]} 不可用：${m[3]} 个回测日的 RRMSE 为 ${m[2]} %，超过 ${m[4]} %`],
  // ---- demand events (regulator.cpp, regulator_dispatch.cpp, regulator_measure.cpp) ----
  [re('created by an unnamed user'), () => '由未署名用户创建'],
  [re('created by (.+)'), (m) => `由 ${m[1]} 创建`],
  [re('windows changed'), () => '时段已变更'],
  [re('done: every instruction reached a final state'), () => '已结束：所有指令均已进入终态'],
  [re('not sent: its first window started before it could be decomposed'), () => '未下发：首个时段在分解前已开始'],
  [re('not sent: (.*)'), (m) => `未下发：${sub(m[1])}`],
  [re(`(${WINDOW}): (${NUM}) kW of (${NUM}) kW uncovered: the operators in scope have no more usable potential`),
    (m) => `${m[1]}：${m[3]} kW 中有 ${m[2]} kW 未覆盖：范围内的运营商已无可用潜力`],
  [re('re-decomposed after the change: instructions to nobody'), () => '变更后重新分解：没有下发指令'],
  [re('re-decomposed after the change: instructions to (.+)'), (m) => `变更后重新分解：指令下发给 ${m[1]}`],
  [re('nothing sent: no operator in scope reports usable potential'), () => '未下发：范围内没有运营商上报可用潜力'],
  // regulator_dispatch.cpp Scope(): a market / transformer-area scope whose stations are gone
  [re('scope: the grid topology places no active station of an enabled operator in these (markets|transformer areas) ' +
    '\\(it names (\\d+) stations there; are their operators\' models synced\\?\\)'),
    (m) => `范围：电网拓扑中这些${m[1] === 'markets' ? '市场' : '台区'}内没有已启用运营商的在运场站（拓扑列出其中 ${m[2]} 个场站；运营商的场站模型是否已同步？）`],
  [re('decomposed over (\\d+) participant\\(s\\): (.*)'), (m) => `已分解给 ${m[1]} 个参与方：${m[2]}`],
  [re('uncovered after (\\d+) re-dispatch round\\(s\\): (.*) \\(([^()]*)\\)'),
    (m) => `经 ${m[1]} 轮再调度仍未覆盖：${m[2]}（${sub(m[3])}）`],
  [re('re-dispatch rounds exhausted'), () => '再调度轮次已用尽'],
  [re('no operator has usable potential left'), () => '没有运营商还有可用潜力'],
  [re(`re-dispatch round (\\d+): shortfall (.*); (${NUM}) kW asked of (\\d+) participant\\(s\\)`),
    (m) => `第 ${m[1]} 轮再调度：缺口 ${m[2]}；向 ${m[4]} 个参与方追加 ${m[3]} kW`],
  [re('no answer by the acceptance deadline; asked query_task_result'), () => '接受截止时间前未收到答复，已发送 query_task_result 查询'],
  [re(`below (\\d+) % of its (${NUM}) kW target for (\\d+) minutes up to (${MINUTE}) \\(response (${NUM}) kW(, no data)?\\)`),
    (m) => `连续 ${m[3]} 分钟低于 ${m[2]} kW 目标的 ${m[1]} %（截至 ${m[4]}，响应 ${m[5]} kW${m[6] ? '，无数据' : ''}）`],
  // ---- explanation lines (regulator_dispatch.cpp Decompose / Redispatch) ----
  [re(`(${WINDOW}): (.+); (\\d+) of (\\d+) stations reporting; (similar-day forecast|current readings)`), (m) => {
    const e = explain(m[2]);
    return e && `${m[1]}：${e}；${m[4]} 个场站中 ${m[3]} 个在报数；${BASIS[m[5]]}`;
  }],
  [re(`(${WINDOW}) re-dispatch: (.+), after what it already holds`), (m) => {
    const e = explain(m[2]);
    return e && `${m[1]} 再调度：${e}，在其已承担的量之外`;
  }],
  [EXPLAIN, (m) => explain(m[0])],
  // ---- alarm titles ----
  [re('demand cannot be decomposed'), () => '需求无法分解'],
  [re('demand expired before it was sent'), () => '需求在下发前已过期'],
  [re('demand not fully covered'), () => '需求未完全覆盖'],
  [re('operator below its target'), () => '运营商低于目标'],
  [re('instruction cannot be measured'), () => '指令无法测量'],
  [re('settlement not acknowledged'), () => '结算未获确认'],
  [re('Command not delivered before its deadline'), () => '指令在截止时间前未送达'],
  [re('Command refused by the operator'), () => '指令被运营商拒绝'],
  // ---- alarm details ----
  // regulator.cpp Coalesce(): many alarms of one type in one step, as one about the demand
  [re('(\\d+) instructions of demand (\\S+), the first: (.*)'), (m) => `需求 ${m[2]} 的 ${m[1]} 条指令，首条：${sub(m[3])}`],
  [re('demand (\\S+) reached its first window before the engine decomposed it'), (m) => `需求 ${m[1]} 在引擎分解前已到达首个时段`],
  [re('demand (\\S+): (.*) uncovered \\(([^()]*)\\)'), (m) => `需求 ${m[1]}：${m[2]} 未覆盖（${sub(m[3])}）`],
  [re(`demand (\\S+) (${WINDOW}: .*)`), (m) => {
    const inner = translate(m[2]);
    return inner && `需求 ${m[1]} ${inner}`;
  }],
  [re('demand (\\S+): (.*)'), (m) => `需求 ${m[1]}：${sub(m[2])}`],
  [re('(.*) \\(retried every 10 minutes\\)'), (m) => `${sub(m[1])}（每 10 分钟重试）`],
  [re(`${OUTBOX} was not delivered before its deadline (\\d{14})(?:; last error: (.*))?`),
    (m) => `${outbox(m[1], m[2], m[3], m[4])}在截止时间 ${m[5]} 前未送达${m[6] !== undefined ? '；最后错误：' + sub(m[6]) : ''}`],
  [re(`${OUTBOX}: (.*)`), (m) => `${outbox(m[1], m[2], m[3], m[4])}：${sub(m[5])}`],
  // ---- relay errors nested in the above (outbox_relay.cpp) ----
  [re('refused with Ret (-?\\d+) ?(.*); not retried \\(the same Data would be refused again\\)'),
    (m) => `被拒绝：${ret(m[1], m[2])}；不再重试（相同的 Data 会再次被拒绝）`],
  [re('deadline passed before delivery(?: \\(last error: (.*)\\))?'),
    (m) => `送达前已过截止时间${m[1] !== undefined ? '（最后错误：' + sub(m[1]) + '）' : ''}`],
  // an operator platform's answer: its own words, shown as they are
  [re('Ret (-?\\d+)(?: .*)?'), (m) => m[0]],
  // ---- prefixes: only when what follows is an engine text itself ----
  // an event: "yyyy-MM-dd HH:mm <text>"
  [re(`(${MINUTE}) (.+)`), (m) => {
    const inner = translate(m[2]);
    return inner && `${m[1]} ${inner}`;
  }],
  // one instruction: "<operator> <regulationID>: <note>"
  [re('(\\S+) (\\S+): (.+)'), (m) => {
    const inner = translate(m[3]);
    return inner && `${m[1]} ${m[2]}：${inner}`;
  }],
];

// The Chinese rendering of an engine text, or null when no template matches it.
function translate(text) {
  for (const [pattern, render] of RULES) {
    const m = pattern.exec(text);
    if (!m) continue;
    const out = render(m);
    if (out !== null && out !== undefined) return out;
  }
  return null;
}

// The text for the console in `lang`: Chinese when it is a known engine template, else (and in
// English) the text unchanged. Not a string (null, undefined): returned as it is.
export function engineText(text, lang) {
  if (lang === 'en' || typeof text !== 'string' || text === '') return text;
  return translate(text) ?? text;
}
