-- vgi SQLite schema, version 6: the console's users, sessions and hash-chained audit log
-- (issue 6; store.hpp "console"). Not operator data.
CREATE TABLE console_user (
  username              TEXT    NOT NULL PRIMARY KEY,
  display_name          TEXT    NOT NULL,
  password_hash         TEXT    NOT NULL,  -- PHC argon2id string
  roles                 INTEGER NOT NULL,  -- console::RoleSet bits
  enabled               INTEGER NOT NULL,
  must_change_password  INTEGER NOT NULL,
  password_changed_at   INTEGER NOT NULL,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
) WITHOUT ROWID;

-- token_digest = SHA-256 of the session token: the token itself is never stored.
CREATE TABLE console_session (
  token_digest  TEXT    NOT NULL PRIMARY KEY,
  username      TEXT    NOT NULL,
  source        TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX console_session_by_user ON console_session (username);

-- Append-only: the store only inserts. hash = SHA-256 over the row and prev_hash (audit_chain.hpp).
CREATE TABLE audit_log (
  seq        INTEGER NOT NULL PRIMARY KEY,
  at         INTEGER NOT NULL,
  username   TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  operation  TEXT    NOT NULL,
  object     TEXT    NOT NULL,
  result     TEXT    NOT NULL,
  detail     TEXT    NOT NULL,
  prev_hash  TEXT    NOT NULL,
  hash       TEXT    NOT NULL
);
