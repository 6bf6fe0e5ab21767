-- vgi SQLite schema, version 4: the retired stakes of an operator by index (PostgreSQL has had
-- stakes_retired since 0001). ListStations and GetStation ask for them on every call; without it
-- SQLite walked every stake row of the operator (about 60 % of a 30 000-station decomposition).
CREATE INDEX stake_retired ON stake (operator_id, station_code, code) WHERE retired = 1;
