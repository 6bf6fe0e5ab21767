-- vgi PostgreSQL schema, version 8: the grid topology (store.hpp "grid topology"): which market
-- and which transformer area (台区) each station is in, as the last import left it.
-- ReplaceTopology rewrites both tables in one transaction.
-- Distributed by operator_id; ListTopology by market or area reads every shard (a market spans
-- operators), as ReplaceTopology's delete does.
CREATE TABLE topology_entries (
  operator_id          text COLLATE "C" NOT NULL,
  station_code         text COLLATE "C" NOT NULL,
  market_id            text COLLATE "C" NOT NULL,  -- '' = none
  transformer_area_id  text COLLATE "C" NOT NULL,  -- '' = none
  PRIMARY KEY (operator_id, station_code)
);
-- ListTopology by market / transformer area (rangeType 1 / 2), of every operator or of one.
-- Partial: a station without one has no entry; the queries say `<> ''` so the planner may use them.
CREATE INDEX topology_entries_by_market ON topology_entries (market_id, operator_id) WHERE market_id <> '';
CREATE INDEX topology_entries_by_area ON topology_entries (transformer_area_id, operator_id)
  WHERE transformer_area_id <> '';

-- The import in force (TopologyInfo): one row once the first import is made; none = version 0.
-- Concerns no operator: coordinator-local (or a reference table) in a Citus-style deployment.
CREATE TABLE topology_info (
  id           smallint    NOT NULL PRIMARY KEY CHECK (id = 1),
  version      bigint      NOT NULL,  -- ReplaceTopology calls so far
  imported_at  timestamptz NOT NULL,
  source       text        NOT NULL,
  stations     bigint      NOT NULL
);
