-- vgi PostgreSQL schema, version 10: power is acknowledged once it is in power_pending, and
-- folded into power_hours and power_latest later, several minutes at once.
--
-- Upserting a station's hour row and latest reading costs PostgreSQL 13-20 us a station whatever
-- the row holds, so a minute of 1 000 000 stations took ~19 s of one core. A commit now appends
-- one row per (operator, partition) holding its stations' updates in a binary body
-- (postgres_pending.cpp); a fold takes a partition's rows in seq order, writes them as one batch
-- (one upsert per station-hour for all its pending minutes) and deletes them, in one transaction.
-- Every reader merges the pending rows of what it reads on top of the folded rows, in one
-- snapshot, so a reader cannot tell folded from pending data.
--
-- part is a hash of the station code (0..15): a station's updates are in one partition, so a
-- station reader reads 1/16 of the operator's pending rows and a fold's memory is bounded.
-- Distributed by operator_id like power_hours.
CREATE SEQUENCE power_pending_seq;
CREATE TABLE power_pending (
  operator_id  text COLLATE "C" NOT NULL,
  part         int2        NOT NULL,
  seq          bigint      NOT NULL DEFAULT nextval('power_pending_seq'),
  committed_at timestamptz NOT NULL,  -- the commit's clock: updated_at, and the day of an update without points
  points       int4        NOT NULL,  -- the body's power points (an update without points counts one)
  body         bytea       NOT NULL,
  PRIMARY KEY (operator_id, part, seq)
);
-- Written once, read a few times, deleted: not worth compressing (codes and numbers).
ALTER TABLE power_pending ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE INDEX power_pending_by_part ON power_pending (part, seq);
