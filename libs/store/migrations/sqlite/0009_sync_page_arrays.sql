-- vgi SQLite schema, version 9: nothing to do here. PostgreSQL's 0009 stages a send_station_info
-- page as one row of arrays, as SQLite's sync_page has held a page in one row since 0001; the
-- numbers stay aligned so one schema version means the same data on both backends.
SELECT 1;
