-- vgi PostgreSQL schema, version 9: a staged send_station_info page is one row of arrays.
--
-- Staging a page as 1 000 station rows and 10 000 stake rows (0001) cost each of those rows a
-- heap tuple, an index entry and their WAL, written once and read once, and deleted again when
-- the sync ended: about a quarter of a 30 000-station sync. One row per page, with the page's
-- columns as arrays (not compressed: they are mostly ciphertext and codes), is written in one
-- piece; ApplySync unnests the complete snapshot into temporary tables to check and apply it.
ALTER TABLE station_sync_pages
  ADD COLUMN station_codes   text[] COLLATE "C" NOT NULL DEFAULT '{}',
  ADD COLUMN area_codes      text[]   NOT NULL DEFAULT '{}',
  ADD COLUMN types           int2[]   NOT NULL DEFAULT '{}',
  ADD COLUMN equipment_types int2[]   NOT NULL DEFAULT '{}',
  ADD COLUMN states          int2[]   NOT NULL DEFAULT '{}',
  ADD COLUMN public_flags    bool[]   NOT NULL DEFAULT '{}',
  ADD COLUMN sealed          bytea[]  NOT NULL DEFAULT '{}',   -- as stations.sealed
  -- The page's stakes, the stations' stake lists concatenated.
  ADD COLUMN stake_codes           text[] COLLATE "C" NOT NULL DEFAULT '{}',
  ADD COLUMN stake_station_codes   text[] COLLATE "C" NOT NULL DEFAULT '{}',
  ADD COLUMN stake_types           int2[] NOT NULL DEFAULT '{}',
  ADD COLUMN stake_operating_states int2[] NOT NULL DEFAULT '{}',
  ADD COLUMN stake_public_flags    bool[] NOT NULL DEFAULT '{}',
  ADD COLUMN stake_adjust_flags    bool[] NOT NULL DEFAULT '{}',
  ADD COLUMN stake_rated_powers    int8[] NOT NULL DEFAULT '{}',  -- centi-kW
  ADD COLUMN stake_top_powers      int8[] NOT NULL DEFAULT '{}',
  ADD COLUMN stake_bottom_powers   int8[] NOT NULL DEFAULT '{}';
ALTER TABLE station_sync_pages
  ALTER COLUMN station_codes SET STORAGE EXTERNAL, ALTER COLUMN area_codes SET STORAGE EXTERNAL,
  ALTER COLUMN types SET STORAGE EXTERNAL, ALTER COLUMN equipment_types SET STORAGE EXTERNAL,
  ALTER COLUMN states SET STORAGE EXTERNAL, ALTER COLUMN public_flags SET STORAGE EXTERNAL,
  ALTER COLUMN sealed SET STORAGE EXTERNAL, ALTER COLUMN stake_codes SET STORAGE EXTERNAL,
  ALTER COLUMN stake_station_codes SET STORAGE EXTERNAL, ALTER COLUMN stake_types SET STORAGE EXTERNAL,
  ALTER COLUMN stake_operating_states SET STORAGE EXTERNAL, ALTER COLUMN stake_public_flags SET STORAGE EXTERNAL,
  ALTER COLUMN stake_adjust_flags SET STORAGE EXTERNAL, ALTER COLUMN stake_rated_powers SET STORAGE EXTERNAL,
  ALTER COLUMN stake_top_powers SET STORAGE EXTERNAL, ALTER COLUMN stake_bottom_powers SET STORAGE EXTERNAL;

-- A sync open during the upgrade keeps its acknowledged pages: their rows move into the arrays,
-- in page order.
UPDATE station_sync_pages p SET
  station_codes = s.codes, area_codes = s.areas, types = s.types, equipment_types = s.eqs,
  states = s.states, public_flags = s.pubs, sealed = s.sealed
FROM (SELECT operator_id, page_no, array_agg(station_code ORDER BY position) AS codes,
             array_agg(area_code ORDER BY position) AS areas, array_agg(type ORDER BY position) AS types,
             array_agg(equipment_type ORDER BY position) AS eqs, array_agg(state ORDER BY position) AS states,
             array_agg(is_public ORDER BY position) AS pubs, array_agg(sealed ORDER BY position) AS sealed
      FROM station_sync_stations GROUP BY operator_id, page_no) s
WHERE p.operator_id = s.operator_id AND p.page_no = s.page_no;
UPDATE station_sync_pages p SET
  stake_codes = k.codes, stake_station_codes = k.stations, stake_types = k.types,
  stake_operating_states = k.ops, stake_public_flags = k.pubs, stake_adjust_flags = k.adjs,
  stake_rated_powers = k.rated, stake_top_powers = k.tops, stake_bottom_powers = k.bottoms
FROM (SELECT operator_id, page_no, array_agg(stake_code ORDER BY position) AS codes,
             array_agg(station_code ORDER BY position) AS stations, array_agg(type ORDER BY position) AS types,
             array_agg(operating_state ORDER BY position) AS ops, array_agg(is_public ORDER BY position) AS pubs,
             array_agg(is_adjust ORDER BY position) AS adjs, array_agg(rated_power ORDER BY position) AS rated,
             array_agg(top_power ORDER BY position) AS tops, array_agg(bottom_power ORDER BY position) AS bottoms
      FROM station_sync_stakes GROUP BY operator_id, page_no) k
WHERE p.operator_id = k.operator_id AND p.page_no = k.page_no;

DROP TABLE station_sync_stations;
DROP TABLE station_sync_stakes;
