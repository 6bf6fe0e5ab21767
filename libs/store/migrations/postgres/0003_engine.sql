-- vgi on PostgreSQL 15, schema version 3: the regulation engine's documents and the leases of
-- clock-driven work, the same data as migrations/sqlite/0003_engine.sql. Conventions as in
-- 0001_init.sql. doc_json is the engine's own format, stored as text (no sensitive field: the
-- instructions and commands it makes are sealed in instructions / outbox).
--
-- Sharding: regulations and settlements are keyed by operator_id first (distributed like the
-- other tables: SELECT create_distributed_table('regulations', 'operator_id'), the same for
-- settlements). demands and leases concern no operator: reference tables
-- (SELECT create_reference_table('demands'), the same for leases).

-- ---- demands -----------------------------------------------------------------------------------
-- A dispatcher's demand, keyed by task_id (the taskID of every instruction made for it).
-- `version` is the compare-and-set counter of ApplyEngineWrite: 1 when inserted, + 1 per update.
CREATE TABLE demands (
  task_id    text COLLATE "C" NOT NULL,
  state      smallint    NOT NULL CHECK (state BETWEEN 0 AND 3),  -- draft, dispatched, done, cancelled
  doc_json   text        NOT NULL,
  version    bigint      NOT NULL,
  created_at timestamptz NOT NULL,  -- kept from the insert
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (task_id)
);
-- ListDemands: newest first, with or without a state filter.
CREATE INDEX demands_by_created ON demands (created_at DESC, task_id DESC);
CREATE INDEX demands_by_state ON demands (state, created_at DESC, task_id DESC);

-- ---- regulations -------------------------------------------------------------------------------
-- One instruction to one operator and its lifecycle state (engine-owned numbers).
CREATE TABLE regulations (
  operator_id   text COLLATE "C" NOT NULL,
  regulation_id text COLLATE "C" NOT NULL,
  task_id       text COLLATE "C" NOT NULL,
  state         integer     NOT NULL,
  doc_json      text        NOT NULL,
  created_at    timestamptz NOT NULL,  -- kept from the insert
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (operator_id, regulation_id)
);
-- ListRegulations by task (in its order) and by state.
CREATE INDEX regulations_by_task ON regulations (task_id, created_at, operator_id, regulation_id);
CREATE INDEX regulations_by_state ON regulations (state);

-- ---- settlements -------------------------------------------------------------------------------
-- What an operator earned for one instruction; `day` is the Beijing date of its first period
-- (statements select an operator's settlements by day range).
CREATE TABLE settlements (
  operator_id   text COLLATE "C" NOT NULL,
  regulation_id text COLLATE "C" NOT NULL,
  task_id       text COLLATE "C" NOT NULL,
  day           date        NOT NULL,  -- Beijing date
  doc_json      text        NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (operator_id, regulation_id)
);
CREATE INDEX settlements_by_day ON settlements (operator_id, day, regulation_id);

-- ---- leases ------------------------------------------------------------------------------------
-- Named leases (AcquireLease): `holder` runs the named work until `until`; after that anyone may
-- take it. One INSERT ... ON CONFLICT DO UPDATE ... WHERE decides atomically across nodes.
CREATE TABLE leases (
  name   text COLLATE "C" NOT NULL,
  holder text        NOT NULL,
  until  timestamptz NOT NULL,
  PRIMARY KEY (name)
);

-- ListStationDays reads every station of an operator for one day; power_hours' key leads with
-- the station code.
CREATE INDEX power_hours_by_day ON power_hours (operator_id, day, station_code, hour);
