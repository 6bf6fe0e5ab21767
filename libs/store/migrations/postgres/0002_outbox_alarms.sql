-- vgi on PostgreSQL 15, schema version 2: the durable outbox (grid -> operator commands) and
-- alarms, the same data as migrations/sqlite/0002_outbox_alarms.sql. Conventions as in
-- 0001_init.sql.
--
-- Sharding: outbox's primary key starts with operator_id (distributed like the other tables:
-- SELECT create_distributed_table('outbox', 'operator_id')); ClaimOutbox and ExpireOutbox scan
-- every shard's due rows. alarms has no operator: a reference table
-- (SELECT create_reference_table('alarms')).

-- ---- outbox ------------------------------------------------------------------------------------
-- data / response: the request Data and the answer's decrypted Data, sealed with context
-- "outbox:<operator_id>" (they may carry credit codes); NULL response = none.
CREATE TABLE outbox (
  operator_id     text COLLATE "C" NOT NULL,
  id              bigint      GENERATED ALWAYS AS IDENTITY,  -- Enqueue order
  interface       text        NOT NULL,  -- the protocol name, e.g. 'send_task'
  task_id         text        NOT NULL,
  regulation_id   text COLLATE "C" NOT NULL,
  data            bytea       NOT NULL,
  created_at      timestamptz NOT NULL,
  deadline        timestamptz NOT NULL,  -- never attempted at or after this instant
  state           smallint    NOT NULL CHECK (state BETWEEN 0 AND 3),  -- 0 pending, 1 sent, 2 failed, 3 dead
  attempts        integer     NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  lease_owner     text        NOT NULL,  -- the relay node holding it, '' = none
  lease_until     timestamptz,
  last_error      text        NOT NULL,
  ret             integer,
  msg             text        NOT NULL,
  response        bytea,
  finished_at     timestamptz,
  PRIMARY KEY (operator_id, id)
);
-- GetOutbox / FinishOutbox name a command by id alone.
CREATE INDEX outbox_by_id ON outbox (id);
-- ClaimOutbox (FOR UPDATE SKIP LOCKED) / ExpireOutbox: only pending rows, in claim order.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 0;
CREATE INDEX outbox_by_regulation ON outbox (operator_id, regulation_id, id);
CREATE INDEX outbox_by_state ON outbox (state, id);

-- ---- alarms ------------------------------------------------------------------------------------
-- At most one alarm per (type, object) is not closed (alarms_live): RaiseAlarm's
-- INSERT ... ON CONFLICT counts an occurrence on that row atomically.
CREATE TABLE alarms (
  id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type     text COLLATE "C" NOT NULL,
  object   text COLLATE "C" NOT NULL,
  level    smallint    NOT NULL CHECK (level BETWEEN 1 AND 4),  -- info, warning, major, critical
  state    smallint    NOT NULL CHECK (state BETWEEN 1 AND 3),  -- open, acknowledged, closed
  module   text        NOT NULL,
  title    text        NOT NULL,
  detail   text        NOT NULL,  -- the latest occurrence's
  count    bigint      NOT NULL,
  first_at timestamptz NOT NULL,
  last_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX alarms_live ON alarms (type, object) WHERE state <> 3;
CREATE INDEX alarms_by_last ON alarms (last_at DESC, id DESC);
