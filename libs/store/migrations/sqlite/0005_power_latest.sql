-- vgi SQLite schema, version 5: each station's latest reading (store.hpp LatestPower), written
-- by the same Commit as its minute slots. The engine and the console read "now" for 30 000
-- stations from these small rows instead of 30 000 station-days of 6 KB each.
-- Rows appear with each station's next push after the upgrade (the slots blobs are not decoded
-- here); until then a station offers no potential, as a station that does not report.
CREATE TABLE power_latest (
  operator_id   TEXT    NOT NULL,
  station_code  TEXT    NOT NULL,
  minute        INTEGER NOT NULL,  -- minutes since 1970-01-01 00:00 Beijing time
  centi_kw      INTEGER NOT NULL,
  adjust_top    INTEGER NOT NULL,  -- centi-kW
  adjust_bottom INTEGER NOT NULL,  -- centi-kW
  PRIMARY KEY (operator_id, station_code)
) WITHOUT ROWID;
