-- vgi PostgreSQL schema, version 7: each operator's station-days summed per day (store.hpp
-- OperatorDay). Every Commit that writes an operator's day adds 1 to the day's version in the
-- same transaction; `sums` are those of sums_version, recomputed by the first read that finds them
-- behind and kept for days before today. Distributed by operator_id like power_hours.
CREATE TABLE power_operator_days (
  operator_id  text COLLATE "C" NOT NULL,
  day          date   NOT NULL,            -- Beijing date
  version      bigint NOT NULL,            -- Commits that wrote the day
  sums_version bigint NOT NULL DEFAULT 0,  -- the version `sums` were computed at (0 = none)
  sums         bytea,                      -- record_codec.hpp EncodeOperatorDay
  PRIMARY KEY (operator_id, day)
);
-- Days stored before this version get their sums on their first read.
INSERT INTO power_operator_days (operator_id, day, version)
  SELECT DISTINCT operator_id, day, 1 FROM power_hours;
