-- vgi PostgreSQL schema, version 4: nothing to do here. SQLite's 0004 adds the partial index on
-- retired stakes that PostgreSQL has had since 0001 (stakes_retired); the numbers stay aligned so
-- one schema version means the same tables on both backends.
SELECT 1;
