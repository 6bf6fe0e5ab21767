import json, collections
O = collections.OrderedDict
def ref(n): return {"$ref": "#/components/schemas/" + n}
def arr(x): return {"type": "array", "items": x}
S = lambda **kw: dict(kw)
num = {"type": "number"}; kw = {"type": "number", "description": "kW, 2 decimals"}
st = {"type": "string"}; it = {"type": "integer"}; bo = {"type": "boolean"}
minute = {"type": "string", "description": "yyyy-MM-dd HH:mm, Beijing time"}
day = {"type": "string", "description": "yyyy-MM-dd, Beijing"}
def obj(props, req=None):
    o = {"type": "object", "properties": props}
    o["required"] = req if req is not None else list(props.keys())
    return o
schemas = O()
schemas["Error"] = obj({"error": S(type="string", description="What went wrong and what to do, in business language"),
                        "field": S(type="string", description="The field the error is about, when there is one")}, ["error"])
schemas["Login"] = obj({"username": st, "password": st})
schemas["Me"] = obj({"username": st, "display_name": st, "roles": arr(st), "permissions": arr(st),
                     "csrf_token": S(type="string", description="Send as X-CSRF-Token on every POST/PUT/DELETE"),
                     "must_change_password": bo, "idle_timeout_s": it})
schemas["PasswordChange"] = obj({"current_password": st, "new_password": st})
schemas["Totals"] = obj({"key": st, "name": st, "stations": it, "load_kw": kw, "top_kw": kw, "bottom_kw": kw,
                         "down_kw": kw, "up_kw": kw}, ["key", "stations", "load_kw", "top_kw", "bottom_kw", "down_kw", "up_kw"])
schemas["Overview"] = obj({"at": minute, "total": ref("Totals"), "by_operator": arr(ref("Totals")), "by_area": arr(ref("Totals")),
                           "demands_active": it, "instructions_active": it, "alarms_open": it})
schemas["Curve"] = obj({"day": day, "load_kw": arr(num), "down_kw": arr(num), "up_kw": arr(num), "stations_present": arr(it)})
schemas["Operator"] = obj({"operator_id": st, "name": st, "enabled": bo, "stations": it, "stakes": it, "stations_reporting": it,
                           "quality_24h_percent": S(type="number", description="Minutes with data over the last 24 h, % (floor 95)"),
                           "quality_ok": bo})
schemas["Latest"] = obj({"at": minute, "kw": kw, "top_kw": kw, "bottom_kw": kw})
schemas["StationItem"] = obj({"operator_id": st, "station_code": st, "name": S(type="string", description="Masked without read_sensitive"),
                              "area_code": st, "address": S(type="string", description="Masked without read_sensitive"),
                              "state": it, "stakes": it, "rated_kw": kw, "latest": {"oneOf": [ref("Latest"), {"type": "null"}]}})
schemas["StationPage"] = obj({"total": it, "page": it, "page_size": it, "items": arr(ref("StationItem"))})
schemas["Stake"] = obj({"code": st, "type": it, "state": it, "rated_kw": kw, "top_kw": kw, "bottom_kw": kw, "retired": bo})
schemas["Station"] = {"allOf": [ref("StationItem"), obj({"credit_code": S(type="string", description="Masked without read_sensitive"),
                                                         "stakes_list": arr(ref("Stake"))})]}
schemas["StationCurve"] = obj({"operator_id": st, "station_code": st, "day": day,
                               "kw": arr({"type": ["number", "null"]}), "top_kw": kw, "bottom_kw": kw, "present_minutes": it})
schemas["Window"] = obj({"start": minute, "end": S(type="string", description="yyyy-MM-dd HH:mm, inclusive"), "target_kw": kw})
schemas["Scope"] = obj({"kind": S(type="string", enum=["all", "operators", "areas", "stations", "stakes", "markets", "transformer-areas"]),
                        "ids": S(type="array", items=st, description="operators: OperatorIDs; areas: GB/T 2260 prefixes; stations/stakes: OPERATORID/CODE; "
                                                                   "markets/transformer-areas: IDs of the grid topology (GET /api/v1/topology)")}, ["kind"])
schemas["DemandCreate"] = obj({"task_id": st, "type": S(type="string", enum=["peak", "valley"]), "scope": ref("Scope"),
                               "windows": arr(ref("Window")), "is_force": bo, "accept_deadline": minute, "note": st},
                              ["type", "scope", "windows"])
schemas["DemandChange"] = obj({"windows": arr(ref("Window"))})
schemas["DemandCancel"] = obj({"reason": st}, [])
schemas["Coverage"] = obj({"start": minute, "end": minute, "target_kw": kw, "allocated_kw": kw, "accepted_kw": kw, "uncovered_kw": kw})
schemas["Instruction"] = obj({"operator_id": st, "regulation_id": st, "state": st, "synchro_type": it, "range_type": it,
                              "adjust_ids": arr(st), "allocated": arr(ref("Window")), "accepted": arr(ref("Window")),
                              "explanation": arr(st), "note": st, "round": it, "created_at": minute, "updated_at": minute,
                              "measured": arr(obj({"start": minute, "end": minute, "completion_percent": num, "delivered_kwh": num,
                                                   "baseline_kw": kw, "actual_kw": kw})),
                              "baseline": st, "earnings_yuan": {"type": ["number", "null"]}})
schemas["DemandSummary"] = obj({"task_id": st, "type": st, "state": st, "scope": ref("Scope"), "windows": arr(ref("Window")),
                                "is_force": bo, "created_by": st, "created_at": minute, "updated_at": minute, "instructions": it})
schemas["Demand"] = {"allOf": [ref("DemandSummary"), obj({"version": it, "accept_deadline": minute, "note": st,
                                                          "coverage": arr(ref("Coverage")), "instructions_list": arr(ref("Instruction")),
                                                          "events": arr(st)})]}
schemas["ExecutionMinute"] = obj({"minute": minute, "baseline_kw": {"type": ["number", "null"]},
                                  "actual_kw": {"type": ["number", "null"]}, "response_kw": {"type": ["number", "null"]}})
schemas["ExecutionTrace"] = obj({"operator_id": st, "regulation_id": st, "state": st, "start": minute, "end": minute,
                                 "target_kw": S(type="number", description="The accepted target of the window"),
                                 "reference": S(type="string", description="What the baseline is, or empty before the window starts"),
                                 "minutes": S(type="array", items=ref("ExecutionMinute"),
                                              description="From the window's start to the last complete minute (or its end)"),
                                 "response_avg_kw": {"type": ["number", "null"]},
                                 "completion_percent": {"type": ["number", "null"]}})
schemas["Execution"] = obj({"task_id": st, "type": st, "at": minute, "traces": arr(ref("ExecutionTrace"))})
schemas["Settlement"] = obj({"operator_id": st, "regulation_id": st, "task_id": st, "day": day, "delivered_kwh": num,
                             "earnings_yuan": num, "state": st})
schemas["Statement"] = obj({"operator_id": st, "period": st, "instructions": it, "target_kwh": num, "delivered_kwh": num,
                            "paid_kwh": num, "payments_yuan": num, "penalties_yuan": num, "earnings_yuan": num})
nkw = {"type": ["number", "null"], "description": "kW, 2 decimals; null without data"}
nminute = {"type": ["string", "null"], "description": "yyyy-MM-dd HH:mm, Beijing time; null without data"}
schemas["ReportLoad"] = obj({"operator_id": S(type="string", description="OperatorID, or \"total\""), "name": st,
                             "energy_kwh": S(type="number", description="Σ minute slots / 60 over the period's station-days"),
                             "peak_kw": nkw, "peak_at": nminute, "valley_kw": nkw, "valley_at": nminute,
                             "average_kw": S(type="number", description="Energy over the period's elapsed minutes, kW"),
                             "data_quality_percent": S(type="number", description="Present minutes / (stations × elapsed minutes), %")})
schemas["ReportDemand"] = obj({"task_id": st, "type": st, "state": st, "start": minute, "target_kwh": num, "accepted_kwh": num,
                               "delivered_kwh": S(type="number", description="From the settlements"),
                               "completion_percent": {"type": ["number", "null"], "description": "delivered / target, %"}})
schemas["ReportSettlement"] = obj({"operator_id": S(type="string", description="OperatorID, or \"total\""), "instructions": it,
                                   "target_kwh": num, "delivered_kwh": num, "payments_yuan": num, "penalties_yuan": num,
                                   "earnings_yuan": num})
schemas["Report"] = obj({"period": S(type="string", enum=["day", "month", "year"]),
                         "date": S(type="string", description="As asked: yyyy-MM-dd, yyyy-MM or yyyy"),
                         "from": day, "to": S(type="string", description="yyyy-MM-dd, the period's last day (today while it runs)"),
                         "operator": {"type": ["string", "null"]},
                         "load": obj({"by_operator": arr(ref("ReportLoad")), "total": ref("ReportLoad"),
                                      "series": S(type="array", description="Energy per hour (day), day (month) or month (year)",
                                                  items=obj({"label": st, "energy_kwh": num}))}),
                         "response": obj({"demands": arr(ref("ReportDemand")),
                                          "total": obj({"demands": it, "target_kwh": num, "accepted_kwh": num, "delivered_kwh": num,
                                                        "completion_percent": {"type": ["number", "null"]}})}),
                         "settlement": obj({"by_operator": arr(ref("ReportSettlement")), "total": ref("ReportSettlement")})})
schemas["Alarm"] = obj({"id": it, "time": minute, "type": st, "level": S(type="string", enum=["info", "warning", "major", "critical"]),
                        "state": S(type="string", enum=["open", "acknowledged", "closed"]), "module": st, "title": st, "detail": st,
                        "count": it, "first_at": minute, "last_at": minute})
schemas["User"] = obj({"username": st, "display_name": st, "roles": arr(st), "enabled": bo, "must_change_password": bo,
                       "created_at": minute, "updated_at": minute})
schemas["UserCreate"] = obj({"username": st, "display_name": st, "password": st})
schemas["Roles"] = obj({"roles": arr(S(type="string", enum=["dispatcher", "viewer", "sysadmin", "secadmin", "auditor"]))})
schemas["PasswordReset"] = obj({"password": st})
schemas["AuditRow"] = obj({"seq": it, "at": S(type="string", description="yyyy-MM-dd HH:mm:ss, Beijing"), "username": st, "source": st,
                           "operation": st, "object": st, "result": st, "detail": st, "hash": st})
schemas["AuditPage"] = obj({"rows": arr(ref("AuditRow")), "next_after": it})
schemas["AuditVerify"] = obj({"ok": bo, "rows": it, "head_seq": it, "head_hash": st,
                              "break": {"oneOf": [obj({"seq": it, "reason": st}), {"type": "null"}]}})
schemas["Peer"] = obj({"operator_id": st, "name": st, "base_url": st, "enabled": bo})
schemas["PeerCreate"] = obj({"operator_id": S(type="string", description="9 characters of [0-9A-Z]"), "name": st,
                             "base_url": S(type="string", description="https://… where the grid calls the operator")})
schemas["KeySet"] = obj({"operator_id": st, "operator_secret": st, "data_secret": st, "data_iv": st, "sig_secret": st,
                         "note": S(type="string", description="Shown once: hand the keys to the operator over a secure channel")})
schemas["PeerOnboarded"] = obj({"peer": ref("Peer"), "keys": ref("KeySet")})
schemas["TopologyGroup"] = obj({"id": st, "stations": it, "operators": it})
schemas["Topology"] = obj({"version": S(type="integer", description="0 = never imported; each import adds 1"),
                           "imported_at": {"type": ["string", "null"], "description": "yyyy-MM-dd HH:mm, Beijing; null before the first import"},
                           "source": S(type="string", description="What the import was: \"<file name> by <user>\""),
                           "stations": it,
                           "unmodelled": S(type="integer", description="Topology stations that are not an active station of their operator's model"),
                           "markets": arr(ref("TopologyGroup")), "transformer_areas": arr(ref("TopologyGroup"))})
schemas["TopologyImport"] = obj({"csv": S(type="string", description="The whole file: a header naming operator_id, station_code, market_id, "
                                                                "transformer_area_id (any order), then one line per station"),
                                 "source": S(type="string", description="The file name (at most 200 characters; default \"console\")")}, ["csv"])

def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(schema, desc="OK", code="200"):
    return {code: {"description": desc, "content": {"application/json": {"schema": schema}}}}
def q(name, schema, desc, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": desc}
def p(name, desc): return {"name": name, "in": "path", "required": True, "schema": st, "description": desc}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}

paths = O()
def op(path, method, summary, perm, responses, params=None, req=None, public=False, audited=None):
    o = {"summary": summary, "operationId": (method + path).replace("/api/v1/", "_").replace("/", "_").replace("{", "").replace("}", ""),
         "responses": responses, "x-vgi-permission": perm}
    if params: o["parameters"] = params
    if req: o["requestBody"] = req
    if public: o["security"] = []
    if audited: o["x-vgi-audit"] = audited
    r = o["responses"]
    if not public: r.setdefault("401", err("No session or the session ended: log in again"))
    if perm not in ("public", "session"): r.setdefault("403", err("Your roles do not allow this"))
    if method in ("post", "put", "delete") and not public: r.setdefault("403", err("Missing or wrong X-CSRF-Token, or your roles do not allow this"))
    paths.setdefault(path, O())[method] = o

op("/api/v1/openapi.json", "get", "This document", "public", {"200": {"description": "OpenAPI 3 document"}}, public=True)
op("/api/v1/login", "post", "Log in: sets the session cookie (HttpOnly, Secure, SameSite=Strict)", "public",
   {**ok(ref("Me")), "401": err("Wrong username or password"), "429": err("Too many failed logins: wait (Retry-After)"),
    "400": err("Malformed request")}, req=body(ref("Login")), public=True, audited="login")
op("/api/v1/logout", "post", "Log out: ends the session", "session", {"204": {"description": "Logged out"}}, audited="logout")
op("/api/v1/me", "get", "Who is logged in, their roles and permissions, the CSRF token", "session", ok(ref("Me")))
op("/api/v1/me/password", "post", "Change one's own password", "session",
   {"204": {"description": "Changed; other sessions of the user end"}, "400": err("The new password breaks the policy")},
   req=body(ref("PasswordChange")), audited="password.change")
op("/api/v1/overview", "get", "Load now and adjustable capacity, by operator and area; active demands, instructions, open alarms",
   "read_business", ok(ref("Overview")), [q("area_digits", it, "2, 4 or 6 (default 2)")])
op("/api/v1/overview/curve", "get", "A day's aggregated curve for all stations (load, down and up potential per minute)",
   "read_business", {**ok(ref("Curve")), "400": err("Bad day")}, [q("day", st, "yyyy-MM-dd (default today)")])
op("/api/v1/operators", "get", "Operators: model, reporting stations, 24 h data quality against the 95 % floor",
   "read_business", ok(arr(ref("Operator"))))
op("/api/v1/stations", "get", "Stations with search and paging", "read_business",
   {**ok(ref("StationPage")), "400": err("Bad paging")},
   [q("operator", st, "Only this OperatorID"), q("q", st, "Part of the station code, name or area code"),
    q("page", it, "1-based (default 1)"), q("page_size", it, "1..200 (default 50)")])
op("/api/v1/stations/{operator}/{station}", "get", "A station with its stakes", "read_business",
   {**ok(ref("Station")), "404": err("No such station")}, [p("operator", "OperatorID"), p("station", "Station code")])
op("/api/v1/stations/{operator}/{station}/curve", "get", "A station's 1440-minute curve of a day", "read_business",
   {**ok(ref("StationCurve")), "404": err("No data that day"), "400": err("Bad day")},
   [p("operator", "OperatorID"), p("station", "Station code"), q("day", st, "yyyy-MM-dd (default today)")])
op("/api/v1/demands", "get", "Demands, newest first", "read_business", ok(arr(ref("DemandSummary"))),
   [q("state", st, "draft, dispatched, done or cancelled"), q("limit", it, "1..1000 (default 100)")])
op("/api/v1/demands", "post", "Create a demand (decomposed at the engine's next tick)", "manage_demands",
   {**ok(ref("Demand"), "Created", "201"), "400": err("A field breaks a rule (field names it)"), "409": err("The taskID is taken"),
    "503": err("The regulation engine is not running on this server")}, req=body(ref("DemandCreate")), audited="demand.create")
op("/api/v1/demands/{task}", "get", "A demand: its decomposition and why, instructions, negotiation, coverage, events",
   "read_business", {**ok(ref("Demand")), "404": err("No such demand")}, [p("task", "taskID")])
op("/api/v1/demands/{task}/execution", "get",
   "Live execution: per accepted window and operator, target, baseline and actual minute by minute so far",
   "read_business", {**ok(ref("Execution")), "404": err("No such demand")}, [p("task", "taskID")])
op("/api/v1/demands/{task}/change", "post", "Change a demand's windows (synchroType 2 to every live instruction)", "manage_demands",
   {**ok(ref("Demand")), "400": err("A field breaks a rule"), "404": err("No such demand"), "409": err("The demand can no longer change")},
   [p("task", "taskID")], body(ref("DemandChange")), audited="demand.change")
op("/api/v1/demands/{task}/cancel", "post", "Cancel a demand (synchroType 3 to every live instruction)", "manage_demands",
   {**ok(ref("Demand")), "404": err("No such demand"), "409": err("The demand is already done or cancelled")},
   [p("task", "taskID")], {"required": False, "content": {"application/json": {"schema": ref("DemandCancel")}}}, audited="demand.cancel")
op("/api/v1/settlements", "get", "Settlement rows per operator and instruction", "read_business", ok(arr(ref("Settlement"))),
   [q("operator", st, "OperatorID"), q("from", st, "yyyy-MM-dd"), q("to", st, "yyyy-MM-dd (inclusive)")])
op("/api/v1/statements", "get", "Settlement statements per operator and day or month (JSON, or CSV with format=csv)", "read_business",
   {"200": {"description": "OK", "content": {"application/json": {"schema": arr(ref("Statement"))}, "text/csv": {"schema": st}}},
    "400": err("Bad period or day")},
   [q("period", S(type="string", enum=["day", "month"]), "default day"), q("operator", st, "OperatorID"), q("from", st, "yyyy-MM-dd"),
    q("to", st, "yyyy-MM-dd"), q("format", S(type="string", enum=["json", "csv"]), "default json")])
op("/api/v1/reports", "get", "A day's, month's or year's report of load, response and settlement (JSON, or CSV with format=csv)",
   "read_business",
   {"200": {"description": "OK (CSV: Content-Disposition attachment vgi-report-<period>-<date>.csv)",
            "content": {"application/json": {"schema": ref("Report")}, "text/csv": {"schema": st}}},
    "400": err("Bad period, date (or a date to come), operator or format (field names it)")},
   [q("period", S(type="string", enum=["day", "month", "year"]), "day, month or year", True),
    q("date", st, "yyyy-MM-dd (day), yyyy-MM (month) or yyyy (year), Beijing", True), q("operator", st, "Only this OperatorID"),
    q("format", S(type="string", enum=["json", "csv"]), "default json")])
op("/api/v1/alarms", "get", "Alarms, latest first", "read_business", ok(arr(ref("Alarm"))), [q("include_closed", bo, "default false")])
op("/api/v1/alarms/{id}/ack", "post", "Acknowledge an alarm", "ack_alarms",
   {**ok(ref("Alarm")), "404": err("No such alarm"), "409": err("The alarm is already closed")}, [p("id", "Alarm id")],
   audited="alarm.ack")
op("/api/v1/alarms/{id}/close", "post", "Close an alarm", "ack_alarms",
   {**ok(ref("Alarm")), "404": err("No such alarm")}, [p("id", "Alarm id")], audited="alarm.close")
op("/api/v1/users", "get", "Console users (system or security administrator)", "manage_users|manage_roles", ok(arr(ref("User"))))
op("/api/v1/users", "post", "Create a user (no roles until the security administrator assigns them)", "manage_users",
   {**ok(ref("User"), "Created", "201"), "400": err("Username or password breaks a rule"), "409": err("The username is taken")},
   req=body(ref("UserCreate")), audited="user.create")
op("/api/v1/users/{username}/roles", "put", "Assign roles (separation of duties enforced)", "manage_roles",
   {**ok(ref("User")), "400": err("Roles that one account cannot hold together"), "404": err("No such user")},
   [p("username", "User")], body(ref("Roles")), audited="user.roles")
op("/api/v1/users/{username}/password", "post", "Reset a password (the user must change it at next login)", "manage_roles",
   {**ok(ref("User")), "400": err("The password breaks the policy"), "404": err("No such user")},
   [p("username", "User")], body(ref("PasswordReset")), audited="user.password_reset")
op("/api/v1/users/{username}/enable", "post", "Enable a user", "manage_users", {**ok(ref("User")), "404": err("No such user")},
   [p("username", "User")], audited="user.enable")
op("/api/v1/users/{username}/disable", "post", "Disable a user (their sessions end)", "manage_users",
   {**ok(ref("User")), "404": err("No such user"), "409": err("You cannot disable yourself")}, [p("username", "User")], audited="user.disable")
op("/api/v1/peers", "get", "Operator platforms (no secrets)", "manage_peers", ok(arr(ref("Peer"))))
op("/api/v1/peers", "post", "Onboard an operator platform: the grid issues its inbound keys, shown once", "manage_peers",
   {**ok(ref("PeerOnboarded"), "Created", "201"), "400": err("A field breaks a rule"), "409": err("The OperatorID exists"),
    "503": err("Peer administration is not available on this server")}, req=body(ref("PeerCreate")), audited="peer.add")
op("/api/v1/peers/{operator}/rotate", "post", "Rotate an operator's inbound keys (the old set stays valid for the overlap), shown once",
   "manage_roles", {**ok(ref("KeySet")), "404": err("No such operator"), "503": err("Peer administration is not available")},
   [p("operator", "OperatorID")], audited="peer.rotate")
op("/api/v1/peers/{operator}/enable", "post", "Accept the operator's requests again", "manage_peers",
   {**ok(ref("Peer")), "404": err("No such operator"), "503": err("Peer administration is not available")},
   [p("operator", "OperatorID")], audited="peer.enable")
op("/api/v1/peers/{operator}/disable", "post", "Refuse the operator's requests and revoke its tokens", "manage_peers",
   {**ok(ref("Peer")), "404": err("No such operator"), "503": err("Peer administration is not available")},
   [p("operator", "OperatorID")], audited="peer.disable")
op("/api/v1/topology", "get", "The grid topology in force: which import, its markets and transformer areas (台区), and how many "
   "of its stations the operators' models lack", "read_business|manage_peers", ok(ref("Topology")))
op("/api/v1/topology.csv", "get", "The whole grid topology as CSV (what POST /api/v1/topology takes back)", "read_business|manage_peers",
   {"200": {"description": "OK (Content-Disposition attachment vgi-topology-v<version>.csv)", "content": {"text/csv": {"schema": st}}}})
op("/api/v1/topology", "post", "Replace the whole grid topology with a CSV file (all of it or nothing). The request body is bounded by "
   "the server's server.limits.max_body_bytes (8 MiB by default; beyond it the server answers 413 before the console sees it): "
   "import bigger files on the server with `vgi topology import -c CONFIG FILE`", "manage_peers",
   {**ok(ref("Topology"), "Imported: the new topology"), "400": err("The file breaks a rule: the message names the line and the rule"),
    "413": {"description": "The body is over server.limits.max_body_bytes (the HTTP server's plain-text answer): "
            "import the file on the server with `vgi topology import -c CONFIG FILE`", "content": {"text/plain": {"schema": st}}}},
   req=body(ref("TopologyImport")), audited="topology.import")
op("/api/v1/audit", "get", "The audit log, oldest first from `after`", "read_audit", ok(ref("AuditPage")),
   [q("after", it, "Rows after this seq (default 0)"), q("limit", it, "1..1000 (default 200)")])
op("/api/v1/audit/verify", "get", "Check the audit log's hash chain: finds an edited, deleted or inserted row", "read_audit",
   ok(ref("AuditVerify")), audited=None)

doc = O()
doc["openapi"] = "3.1.0"
doc["info"] = {"title": "vgi console API", "version": "1",
               "description": "The dispatcher's console API (issue 6). Every route but login and this document answers 401 "
                              "without a session. A session is the cookie `vgi_session` set by login (HttpOnly, Secure, "
                              "SameSite=Strict, idle timeout); every POST/PUT/DELETE also needs the header X-CSRF-Token "
                              "with the token login and /me return. x-vgi-permission names the permission a route needs "
                              "(console/roles.hpp); x-vgi-audit the audit operation it records. Powers are kW, energies "
                              "kWh, money yuan, times Beijing."}
doc["servers"] = [{"url": "/"}]
doc["components"] = {"securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "vgi_session"}},
                     "schemas": schemas}
doc["security"] = [{"session": []}]
doc["paths"] = paths
print(json.dumps(doc, ensure_ascii=False, indent=1))
