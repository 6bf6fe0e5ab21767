-- vgi SQLite schema, version 1.
-- Times are INTEGER microseconds since 1970-01-01 UTC; powers are INTEGER centi-kW (the
-- protocol's 2 decimals, exact). Every primary key starts with operator_id, the distribution
-- column of the Citus-style PostgreSQL deployment, so both backends keep the same shape.
-- Sensitive fields (the seed's "(加密)") live only inside `sealed` BLOBs (AES-256-GCM under the
-- master key, bound to the row by its sealing context); the plain columns are what queries need.

CREATE TABLE schema_version (
  version    INTEGER NOT NULL PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
);

CREATE TABLE peer (
  operator_id           TEXT    NOT NULL PRIMARY KEY,
  name                  TEXT    NOT NULL,
  base_url              TEXT    NOT NULL,
  enabled               INTEGER NOT NULL,
  sealed_keys           BLOB    NOT NULL,  -- sealed by the server, context "peer:<operator_id>"
  settings_json         TEXT    NOT NULL,
  tokens_revoked_before INTEGER,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
) WITHOUT ROWID;

-- The operator's station model as last synced. `sealed` is the whole station (stakes included,
-- retired stakes kept after the current ones) in the store's binary station encoding, context
-- "station:<op>:<code>". A row is rewritten only when its station changed: an active station
-- was carried by the operator's latest snapshot (model_state.applied_at); `updated_at` is what
-- a retired station reports (the snapshot that last carried it).
CREATE TABLE station (
  operator_id    TEXT    NOT NULL,
  code           TEXT    NOT NULL,
  area_code      TEXT    NOT NULL,
  type           INTEGER NOT NULL,
  equipment_type INTEGER NOT NULL,
  state          INTEGER NOT NULL,
  is_public      INTEGER NOT NULL,
  retired        INTEGER NOT NULL DEFAULT 0,
  retired_at     INTEGER,
  updated_at     INTEGER NOT NULL,
  sealed         BLOB    NOT NULL,
  PRIMARY KEY (operator_id, code)
);

-- One row per stake (codes are unique within an operator), plain columns only: what the engine
-- sums (adjustable power per station or operator). Its sensitive fields are in station.sealed.
CREATE TABLE stake (
  operator_id     TEXT    NOT NULL,
  code            TEXT    NOT NULL,
  station_code    TEXT    NOT NULL,
  type            INTEGER NOT NULL,
  operating_state INTEGER NOT NULL,
  is_public       INTEGER NOT NULL,
  is_adjust       INTEGER NOT NULL,
  rated_power     INTEGER NOT NULL,  -- centi-kW
  top_power       INTEGER NOT NULL,  -- centi-kW
  bottom_power    INTEGER NOT NULL,  -- centi-kW
  retired         INTEGER NOT NULL DEFAULT 0,
  retired_at      INTEGER,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (operator_id, code)
) WITHOUT ROWID;
CREATE INDEX stake_by_station ON stake (operator_id, station_code);

-- When the operator's latest complete snapshot was applied.
CREATE TABLE model_state (
  operator_id TEXT    NOT NULL PRIMARY KEY,
  applied_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- An operator's open (incomplete) model sync: at most one per operator.
CREATE TABLE sync_session (
  operator_id TEXT    NOT NULL PRIMARY KEY,
  total_count INTEGER NOT NULL,
  page_count  INTEGER NOT NULL,
  started_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- The pages held for the open sync: the page's stations in the binary station-list encoding,
-- sealed with context "sync_page:<op>:<page_no>" (they carry sensitive fields).
CREATE TABLE sync_page (
  operator_id   TEXT    NOT NULL,
  page_no       INTEGER NOT NULL,
  station_count INTEGER NOT NULL,
  received_at   INTEGER NOT NULL,
  sealed        BLOB    NOT NULL,
  PRIMARY KEY (operator_id, page_no)
);

-- One station's minutes for one Beijing day. A rowid table (not WITHOUT ROWID): a ~6 KB row
-- keeps ~1.9 KB on its leaf plus one full overflow page (≈ 6.2 KB per station-day), where a
-- WITHOUT ROWID b-tree keeps < 1 KB locally and spills over two overflow pages (≈ 8.7 KB);
-- rewriting a row in place (same size) dirties only the pages whose bytes changed.
CREATE TABLE power_day (
  operator_id   TEXT    NOT NULL,
  station_code  TEXT    NOT NULL,
  day           INTEGER NOT NULL,  -- yyyymmdd, Beijing
  adjust_top    INTEGER NOT NULL,  -- centi-kW, the latest adjustTopPower of the day
  adjust_bottom INTEGER NOT NULL,  -- centi-kW
  updated_at    INTEGER NOT NULL,
  present       BLOB    NOT NULL,  -- 180 bytes: bit m%8 of byte m/8 set when minute m has a value
  slots         BLOB    NOT NULL,  -- 1440 x int32 little-endian centi-kW; a missing minute holds 0
  PRIMARY KEY (operator_id, station_code, day)
);

-- Instructions the grid sent (send_task). `sealed` is the instruction's protocol JSON (it may
-- carry a credit code), context "instruction:<op>:<regulation_id>".
CREATE TABLE instruction (
  operator_id   TEXT    NOT NULL,
  regulation_id TEXT    NOT NULL,
  task_id       TEXT    NOT NULL,
  synchro_type  INTEGER NOT NULL,
  sent_at       INTEGER NOT NULL,
  sealed        BLOB    NOT NULL,
  PRIMARY KEY (operator_id, regulation_id)
) WITHOUT ROWID;

-- Operator callbacks on an instruction, in arrival order (seq counts per instruction).
CREATE TABLE feedback (
  operator_id       TEXT    NOT NULL,
  regulation_id     TEXT    NOT NULL,
  seq               INTEGER NOT NULL,
  task_id           TEXT    NOT NULL,
  kind              INTEGER NOT NULL,  -- 1 callback_task_overview, 2 callback_task_check
  status            INTEGER,           -- kind 1: 0 reject, 1 accept
  sealed_adjustment BLOB,              -- kind 2: protocol JSON, context "feedback:<op>:<regulation_id>"
  received_at       INTEGER NOT NULL,
  PRIMARY KEY (operator_id, regulation_id, seq)
) WITHOUT ROWID;

-- Admitted requests' (OperatorID, TimeStamp, Seq), kept until forget_after (replay defence
-- across restarts).
CREATE TABLE request_key (
  operator_id  TEXT    NOT NULL,
  timestamp    TEXT    NOT NULL,
  seq          TEXT    NOT NULL,
  forget_after INTEGER NOT NULL,
  PRIMARY KEY (operator_id, timestamp, seq)
) WITHOUT ROWID;
CREATE INDEX request_key_by_forget_after ON request_key (forget_after);
