-- vgi SQLite schema, version 7: each operator's station-days summed per day (store.hpp
-- OperatorDay). Every Commit that writes an operator's day adds 1 to the day's version in the
-- same transaction; `sums` are those of sums_version, recomputed by the first read that finds them
-- behind and kept for days before today. Measurement reads an operator's 60-day history as 61
-- rows of 40 KB instead of 61 x (its stations) station-days of 6 KB; the console's reports and
-- curves likewise.
CREATE TABLE power_operator_day (
  operator_id  TEXT    NOT NULL,
  day          INTEGER NOT NULL,            -- yyyymmdd, Beijing
  version      INTEGER NOT NULL,            -- Commits that wrote the day
  sums_version INTEGER NOT NULL DEFAULT 0,  -- the version `sums` were computed at (0 = none)
  sums         BLOB,                        -- record_codec.hpp EncodeOperatorDay
  PRIMARY KEY (operator_id, day)
);
-- Days stored before this version get their sums on their first read.
INSERT INTO power_operator_day (operator_id, day, version)
  SELECT operator_id, day, 1 FROM power_day GROUP BY operator_id, day;
