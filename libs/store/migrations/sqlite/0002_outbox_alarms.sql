-- vgi SQLite schema, version 2: the durable outbox (grid -> operator commands) and alarms
-- (store.hpp's outbox and alarms sections). Conventions as in 0001_init.sql: times INTEGER
-- microseconds since 1970-01-01 UTC; sensitive documents only inside sealed BLOBs.

-- Commands waiting for (or done with) delivery to an operator platform. The key starts with
-- operator_id like every table's; `id` is unique on its own too (GetOutbox, FinishOutbox) and is
-- assigned by Enqueue as MAX(id) + 1 inside its write transaction, so ids only increase.
-- sealed_data / sealed_response are the request Data and the answer's decrypted Data, sealed
-- with context "outbox:<operator_id>" (they may carry credit codes); NULL sealed_response = none.
CREATE TABLE outbox (
  operator_id     TEXT    NOT NULL,
  id              INTEGER NOT NULL,
  interface       TEXT    NOT NULL,  -- the protocol name, e.g. 'send_task'
  task_id         TEXT    NOT NULL,
  regulation_id   TEXT    NOT NULL,
  sealed_data     BLOB    NOT NULL,
  created_at      INTEGER NOT NULL,
  deadline        INTEGER NOT NULL,  -- never attempted at or after this instant
  state           INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),  -- 0 pending, 1 sent, 2 failed, 3 dead
  attempts        INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT    NOT NULL,  -- the relay node holding it, '' = none
  lease_until     INTEGER,
  last_error      TEXT    NOT NULL,
  ret             INTEGER,
  msg             TEXT    NOT NULL,
  sealed_response BLOB,
  finished_at     INTEGER,
  PRIMARY KEY (operator_id, id)
);
CREATE UNIQUE INDEX outbox_by_id ON outbox (id);
-- ClaimOutbox / ExpireOutbox: only pending rows, in claim order. Finished rows leave the index.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 0;
CREATE INDEX outbox_by_regulation ON outbox (operator_id, regulation_id, id);
CREATE INDEX outbox_by_state ON outbox (state, id);

-- Alarms in the one standard form. They concern no operator: the key is the id alone (the
-- rowid; alarms are never deleted, so ids only increase). At most one alarm per (type, object)
-- is not closed (alarm_live): raising it again counts an occurrence on that row.
CREATE TABLE alarm (
  id       INTEGER PRIMARY KEY,
  type     TEXT    NOT NULL,
  object   TEXT    NOT NULL,
  level    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),  -- info, warning, major, critical
  state    INTEGER NOT NULL CHECK (state BETWEEN 1 AND 3),  -- open, acknowledged, closed
  module   TEXT    NOT NULL,
  title    TEXT    NOT NULL,
  detail   TEXT    NOT NULL,  -- the latest occurrence's
  count    INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  last_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX alarm_live ON alarm (type, object) WHERE state <> 3;
CREATE INDEX alarm_by_last ON alarm (last_at DESC, id DESC);
