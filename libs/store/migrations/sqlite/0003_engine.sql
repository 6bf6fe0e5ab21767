-- vgi SQLite schema, version 3: the regulation engine's documents (store.hpp's "regulation
-- engine" section) and the leases that let one node run the engine's clock-driven work at a time.
-- Conventions as in 0001_init.sql: times INTEGER microseconds since 1970-01-01 UTC, days yyyymmdd
-- (Beijing). doc_json is the engine's own format, stored as TEXT (no sensitive field: the
-- instructions and commands it makes are sealed in instruction / outbox).

-- A dispatcher's demand. It concerns no single operator (like alarm): keyed by task_id, the
-- taskID of every instruction made for it. `version` is the compare-and-set counter
-- (ApplyEngineWrite): a new demand is stored with 1, each update bumps it by one.
CREATE TABLE demand (
  task_id    TEXT    NOT NULL PRIMARY KEY,
  state      INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),  -- draft, dispatched, done, cancelled
  doc_json   TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  created_at INTEGER NOT NULL,  -- kept from the insert
  updated_at INTEGER NOT NULL
);
-- ListDemands: newest first, with or without a state filter.
CREATE INDEX demand_by_created ON demand (created_at DESC, task_id DESC);
CREATE INDEX demand_by_state ON demand (state, created_at DESC, task_id DESC);

-- One instruction to one operator and its lifecycle state (engine-owned numbers).
CREATE TABLE regulation (
  operator_id   TEXT    NOT NULL,
  regulation_id TEXT    NOT NULL,
  task_id       TEXT    NOT NULL,
  state         INTEGER NOT NULL,
  doc_json      TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,  -- kept from the insert
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (operator_id, regulation_id)
);
-- ListRegulations by task (in its order) and by state.
CREATE INDEX regulation_by_task ON regulation (task_id, created_at, operator_id, regulation_id);
CREATE INDEX regulation_by_state ON regulation (state);

-- What an operator earned for one instruction; `day` is the Beijing date of its first period
-- (statements select an operator's settlements by day range).
CREATE TABLE settlement (
  operator_id   TEXT    NOT NULL,
  regulation_id TEXT    NOT NULL,
  task_id       TEXT    NOT NULL,
  day           INTEGER NOT NULL,  -- yyyymmdd, Beijing
  doc_json      TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (operator_id, regulation_id)
);
CREATE INDEX settlement_by_day ON settlement (operator_id, day, regulation_id);

-- Named leases (AcquireLease): `holder` runs the named work until `until`; after that anyone may
-- take it. Node bookkeeping, not operator data: keyed by name.
CREATE TABLE lease (
  name   TEXT    NOT NULL PRIMARY KEY,
  holder TEXT    NOT NULL,
  until  INTEGER NOT NULL
);

-- ListStationDays reads every station of an operator for one day; power_day's key leads with
-- the station code.
CREATE INDEX power_day_by_day ON power_day (operator_id, day, station_code);
