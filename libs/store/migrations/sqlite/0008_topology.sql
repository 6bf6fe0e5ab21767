-- vgi SQLite schema, version 8: the grid topology (store.hpp "grid topology"): which market and
-- which transformer area (台区) each station is in, as the last import left it. ReplaceTopology
-- rewrites both tables in one transaction.
CREATE TABLE topology_entry (
  operator_id          TEXT NOT NULL,
  station_code         TEXT NOT NULL,
  market_id            TEXT NOT NULL,  -- '' = none
  transformer_area_id  TEXT NOT NULL,  -- '' = none
  PRIMARY KEY (operator_id, station_code)
) WITHOUT ROWID;
-- ListTopology by market / transformer area (rangeType 1 / 2). Partial: a station without one
-- has no entry; the queries say `<> ''` so the planner may use them.
CREATE INDEX topology_entry_by_market ON topology_entry (market_id) WHERE market_id <> '';
CREATE INDEX topology_entry_by_area ON topology_entry (transformer_area_id) WHERE transformer_area_id <> '';

-- The import in force (TopologyInfo): one row once the first import is made; none = version 0.
CREATE TABLE topology_info (
  id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  version      INTEGER NOT NULL,  -- ReplaceTopology calls so far
  imported_at  INTEGER NOT NULL,
  source       TEXT    NOT NULL,
  stations     INTEGER NOT NULL
);
