-- vgi PostgreSQL schema, version 5: each station's latest reading (store.hpp LatestPower),
-- written in the same transaction as its power_hours rows. The engine and the console read "now"
-- for 30 000 stations from these small rows. Distributed by operator_id like power_hours.
-- Rows appear with each station's next push after the upgrade; until then a station offers no
-- potential, as a station that does not report.
CREATE TABLE power_latest (
  operator_id   text COLLATE "C" NOT NULL,
  station_code  text COLLATE "C" NOT NULL,
  minute        bigint      NOT NULL,  -- minutes since 1970-01-01 00:00 Beijing time
  centi_kw      bigint      NOT NULL,
  adjust_top    bigint      NOT NULL,  -- centi-kW
  adjust_bottom bigint      NOT NULL,  -- centi-kW
  PRIMARY KEY (operator_id, station_code)
) WITH (fillfactor = 70);
