-- vgi SQLite schema, version 10: station power in hour rows, keyed time-first.
--
-- power_day kept a station-day as one ~6 KB row: a minute of power rewrote each station's leaf
-- and overflow page (two 4 KB pages through the WAL and the checkpoint for 4 bytes), and a day of
-- a large fleet (6 GB at 1 000 000 stations) could not stay in the page cache. Here a
-- station-day is up to 24 rows of 60 slots, keyed (operator, day, hour, station): one minute's
-- writes for neighbouring stations share leaf pages, the current hour's rows stay cached, and a
-- new hour inserts small rows. Measured on SQLite alone (BENCHMARKS.md, "the fleet minute"): a
-- minute of 1 000 000 stations in 7 s instead of 20-31 s.
--
-- Each row carries the adjust powers and time of the update that wrote it last; write_seq grows
-- with every row written (power_write_seq holds the last one given), so the day's adjust powers
-- are those of its row with the greatest write_seq, whichever hour that is. A day whose updates
-- carried no points has its hour 0 row, with an empty mask.
CREATE TABLE power_hour (
  operator_id   TEXT    NOT NULL,
  day           INTEGER NOT NULL,  -- yyyymmdd, Beijing
  hour          INTEGER NOT NULL,  -- 0..23
  station_code  TEXT    NOT NULL,
  adjust_top    INTEGER NOT NULL,  -- centi-kW, of the update that wrote the row last
  adjust_bottom INTEGER NOT NULL,  -- centi-kW
  updated_at    INTEGER NOT NULL,  -- microseconds since the epoch
  write_seq     INTEGER NOT NULL,
  present       INTEGER NOT NULL,  -- bit m set when minute m of the hour has a value
  slots         BLOB    NOT NULL,  -- 60 x int32 little-endian centi-kW; a missing minute holds 0
  PRIMARY KEY (operator_id, day, hour, station_code)
) WITHOUT ROWID;

CREATE TABLE power_write_seq (
  id  INTEGER PRIMARY KEY CHECK (id = 0),
  seq INTEGER NOT NULL
);
INSERT INTO power_write_seq (id, seq) VALUES (0, 0);

-- Every stored station-day, hour by hour: the hours with a value, and hour 0 always (so that a
-- day without any value keeps its adjust powers). vgi_hour_present (sqlite_power.cpp) reads an
-- hour's 60 bits out of the day's 180-byte mask. All rows of a converted day get write_seq 0 and
-- carry the day's adjust powers.
WITH RECURSIVE hours(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM hours WHERE h < 23)
INSERT INTO power_hour (operator_id, day, hour, station_code, adjust_top, adjust_bottom, updated_at,
                        write_seq, present, slots)
  SELECT p.operator_id, p.day, hours.h, p.station_code, p.adjust_top, p.adjust_bottom, p.updated_at,
         0, vgi_hour_present(p.present, hours.h), substr(p.slots, hours.h * 240 + 1, 240)
  FROM power_day AS p, hours
  WHERE hours.h = 0 OR vgi_hour_present(p.present, hours.h) <> 0;

DROP INDEX power_day_by_day;
DROP TABLE power_day;
