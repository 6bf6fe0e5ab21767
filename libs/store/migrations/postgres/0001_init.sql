-- vgi on PostgreSQL 15, schema version 1: the same data as migrations/sqlite/0001_init.sql.
--
-- The store applies this at open under an advisory lock and records it in schema_version (a
-- bookkeeping table the store itself creates). Conventions:
--   - Times are timestamptz (microseconds, the precision record_codec.hpp truncates to).
--   - Key columns are text COLLATE "C": byte order (the same order as the other backends) and
--     memcmp comparisons in the indexes.
--   - Power in centi-kW (the protocol's 2 decimals, exact) as integers.
--   - Sensitive fields (the seed's "(加密)") are only ever stored sealed (Sealer: AES-256-GCM,
--     bound to the row by the sealing context, record_codec.hpp).
--
-- Sharding: every table's primary key starts with operator_id, the distribution column of a
-- Citus deployment. Each table would be distributed with
--   SELECT create_distributed_table('<table>', 'operator_id');
-- for peers, stations, stakes, station_syncs, station_sync_pages, station_sync_stations,
-- station_sync_stakes, power_hours, instructions, feedback and request_keys; schema_version
-- would be a reference table (SELECT create_reference_table('schema_version')). The sequences
-- below only order writes, so a per-node sequence is enough.

-- ---- peers -------------------------------------------------------------------------------------
CREATE TABLE peers (
  operator_id           text COLLATE "C" NOT NULL,
  name                  text        NOT NULL,
  base_url              text        NOT NULL,
  enabled               boolean     NOT NULL,
  sealed_keys           bytea       NOT NULL,  -- sealed by the server ("peer:<operator_id>")
  settings_json         text        NOT NULL,
  tokens_revoked_before timestamptz,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (operator_id)
);

-- ---- station model -----------------------------------------------------------------------------
-- One row per station as last synced. `sealed` is the whole station (stakes included, retired
-- stakes kept after the current ones) as protocol JSON, context "station:<op>:<code>"; the plain
-- columns are what queries need.
CREATE TABLE stations (
  operator_id    text COLLATE "C" NOT NULL,
  station_code   text COLLATE "C" NOT NULL,
  area_code      text        NOT NULL,
  type           smallint    NOT NULL,
  equipment_type smallint    NOT NULL,
  state          smallint    NOT NULL,
  is_public      boolean     NOT NULL,
  retired        boolean     NOT NULL DEFAULT false,
  retired_at     timestamptz,
  updated_at     timestamptz NOT NULL,
  sealed         bytea       NOT NULL,
  sync_seq       bigint      NOT NULL,  -- the applied snapshot that last carried it
  PRIMARY KEY (operator_id, station_code)
);
-- Ciphertext does not compress: never try. A station with a few dozen stakes (a sealed model of
-- a few kB) stays inline in its row instead of going to TOAST chunks and their index.
ALTER TABLE stations ALTER COLUMN sealed SET STORAGE EXTERNAL;
ALTER TABLE stations SET (toast_tuple_target = 8160);

-- One row per stake (codes are unique within an operator), plain columns only: what the engine
-- sums (adjustable power per station or operator). Its sensitive fields are in stations.sealed.
CREATE TABLE stakes (
  operator_id     text COLLATE "C" NOT NULL,
  stake_code      text COLLATE "C" NOT NULL,
  station_code    text COLLATE "C" NOT NULL,
  type            smallint    NOT NULL,
  operating_state smallint    NOT NULL,
  is_public       boolean     NOT NULL,
  is_adjust       boolean     NOT NULL,
  rated_power     bigint      NOT NULL,  -- centi-kW
  top_power       bigint      NOT NULL,  -- centi-kW
  bottom_power    bigint      NOT NULL,  -- centi-kW
  retired         boolean     NOT NULL DEFAULT false,
  retired_at      timestamptz,
  updated_at      timestamptz NOT NULL,  -- when a sync last changed it
  PRIMARY KEY (operator_id, stake_code)
);
CREATE INDEX stakes_by_station ON stakes (operator_id, station_code);
-- A station's retired stake codes (StationRecord.retired_stake_codes): few rows, a small index.
CREATE INDEX stakes_retired ON stakes (operator_id, station_code, stake_code) WHERE retired;

-- Numbers applied snapshots: stations a snapshot did not carry keep an older sync_seq.
CREATE SEQUENCE station_sync_seq;

-- An operator's open (incomplete) model sync: at most one per operator.
CREATE TABLE station_syncs (
  operator_id text COLLATE "C" NOT NULL,
  total_count bigint      NOT NULL,
  page_count  bigint      NOT NULL,
  started_at  timestamptz NOT NULL,
  PRIMARY KEY (operator_id)
);

-- The page numbers held for the open sync.
CREATE TABLE station_sync_pages (
  operator_id text COLLATE "C" NOT NULL,
  page_no     bigint      NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, page_no)
);

-- Staged pages, one row per station and per stake, already in the form stations/stakes take:
-- applying a complete sync is set-wise SQL, and the sealed station moves without re-encoding.
CREATE TABLE station_sync_stations (
  operator_id    text COLLATE "C" NOT NULL,
  page_no        bigint      NOT NULL,
  position       integer     NOT NULL,  -- in the page's stationList, from 1
  station_code   text COLLATE "C" NOT NULL,
  area_code      text        NOT NULL,
  type           smallint    NOT NULL,
  equipment_type smallint    NOT NULL,
  state          smallint    NOT NULL,
  is_public      boolean     NOT NULL,
  sealed         bytea       NOT NULL,  -- as stations.sealed
  PRIMARY KEY (operator_id, page_no, position)
);
ALTER TABLE station_sync_stations ALTER COLUMN sealed SET STORAGE EXTERNAL;
ALTER TABLE station_sync_stations SET (toast_tuple_target = 8160);

CREATE TABLE station_sync_stakes (
  operator_id     text COLLATE "C" NOT NULL,
  page_no         bigint      NOT NULL,
  position        integer     NOT NULL,  -- in the page, stations' stake lists concatenated
  stake_code      text COLLATE "C" NOT NULL,
  station_code    text COLLATE "C" NOT NULL,
  type            smallint    NOT NULL,
  operating_state smallint    NOT NULL,
  is_public       boolean     NOT NULL,
  is_adjust       boolean     NOT NULL,
  rated_power     bigint      NOT NULL,
  top_power       bigint      NOT NULL,
  bottom_power    bigint      NOT NULL,
  PRIMARY KEY (operator_id, page_no, position)
);

-- ---- power -------------------------------------------------------------------------------------
-- One row per station, Beijing day and hour: 60 minute slots as int32 little-endian centi-kW in
-- a 240-byte bytea (inline, never TOASTed), the minutes reported with a value as bits 0..59 of
-- `present`, and the day's latest adjustable powers. A minute's update rewrites one ~340-byte row;
-- no indexed column changes and fillfactor 70 leaves room on the page, so it is a HOT update
-- (no index churn, pruned in place): measured 98 % HOT for 1000 stations x 1440 minutes, about
-- 21 kB per station-day in steady state (a commit updates every row of a page, so a page holds
-- two versions of each), 13.5 kB once repacked. With fillfactor 100 only 15 % were HOT and the
-- table bloated 20-fold. A real[1440] per day would rewrite its whole TOAST value every minute.
-- write_seq orders writes (the day's adjust powers are those of the row written last); its low
-- 20 bits are the row's index in the statement that wrote it (see postgres_power.cpp).
CREATE TABLE power_hours (
  operator_id   text COLLATE "C" NOT NULL,
  station_code  text COLLATE "C" NOT NULL,
  day           date        NOT NULL,  -- Beijing date
  hour          smallint    NOT NULL CHECK (hour BETWEEN 0 AND 23),
  slots         bytea       NOT NULL CHECK (length(slots) = 240),
  present       bigint      NOT NULL,
  adjust_top    bigint      NOT NULL,  -- centi-kW
  adjust_bottom bigint      NOT NULL,  -- centi-kW
  updated_at    timestamptz NOT NULL,
  write_seq     bigint      NOT NULL,
  PRIMARY KEY (operator_id, station_code, day, hour)
) WITH (fillfactor = 70);
ALTER TABLE power_hours ALTER COLUMN slots SET STORAGE PLAIN;

CREATE SEQUENCE power_write_seq;

-- ---- instructions and feedback -----------------------------------------------------------------
-- The instruction sealed under "instruction:<operator_id>:<regulation_id>" (credit code inside).
CREATE TABLE instructions (
  operator_id   text COLLATE "C" NOT NULL,
  regulation_id text COLLATE "C" NOT NULL,
  task_id       text        NOT NULL,
  synchro_type  smallint    NOT NULL,
  sent_at       timestamptz NOT NULL,
  sealed        bytea       NOT NULL,
  PRIMARY KEY (operator_id, regulation_id)
);

-- Callbacks as received; a check's adjustment sealed under "feedback:<operator_id>:<regulation_id>".
CREATE TABLE feedback (
  operator_id   text COLLATE "C" NOT NULL,
  regulation_id text COLLATE "C" NOT NULL,
  id            bigint      GENERATED ALWAYS AS IDENTITY,  -- insertion order
  task_id       text        NOT NULL,
  kind          smallint    NOT NULL CHECK (kind IN (1, 2)),
  status        smallint,
  adjustment    bytea,
  received_at   timestamptz NOT NULL,
  PRIMARY KEY (operator_id, regulation_id, id)
);

-- ---- replay keys -------------------------------------------------------------------------------
CREATE TABLE request_keys (
  operator_id  text COLLATE "C" NOT NULL,
  "timestamp"  text COLLATE "C" NOT NULL,
  seq          text COLLATE "C" NOT NULL,
  forget_after timestamptz NOT NULL,
  PRIMARY KEY (operator_id, "timestamp", seq)
);
CREATE INDEX request_keys_by_expiry ON request_keys (forget_after);
