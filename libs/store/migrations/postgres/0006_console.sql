-- vgi PostgreSQL schema, version 6: the console's users, sessions and hash-chained audit log
-- (issue 6; store.hpp "console"). Not operator data: in a Citus-style deployment these stay
-- coordinator-local tables.
CREATE TABLE console_users (
  username              text COLLATE "C" NOT NULL PRIMARY KEY,
  display_name          text        NOT NULL,
  password_hash         text        NOT NULL,  -- PHC argon2id string
  roles                 smallint    NOT NULL,  -- console::RoleSet bits
  enabled               boolean     NOT NULL,
  must_change_password  boolean     NOT NULL,
  password_changed_at   timestamptz NOT NULL,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);

-- token_digest = SHA-256 of the session token: the token itself is never stored.
CREATE TABLE console_sessions (
  token_digest  text COLLATE "C" NOT NULL PRIMARY KEY,
  username      text COLLATE "C" NOT NULL,
  source        text        NOT NULL,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX console_sessions_by_user ON console_sessions (username);

-- Append-only: the store only inserts (AppendAudit under a transaction-scoped advisory lock, so
-- two nodes never fork the chain). hash = SHA-256 over the row and prev_hash (audit_chain.hpp).
CREATE TABLE audit_log (
  seq        bigint      NOT NULL PRIMARY KEY,
  at         timestamptz NOT NULL,
  username   text        NOT NULL,
  source     text        NOT NULL,
  operation  text        NOT NULL,
  object     text        NOT NULL,
  result     text        NOT NULL,
  detail     text        NOT NULL,
  prev_hash  text        NOT NULL,
  hash       text        NOT NULL
);
