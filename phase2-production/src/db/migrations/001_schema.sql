-- Users, the catalog, refresh tokens and the session audit trail.

CREATE TABLE users (
  username      text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9._-]{1,64}$'),
  display_name  text NOT NULL,
  -- scrypt$N$r$p$salt$hash, the format phase 1 stores in data/users.json
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  name        text NOT NULL,
  description text NOT NULL,
  category    text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  currency    text NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR')
);

-- Only a hash of each refresh token is kept: a leaked table yields no usable token.
CREATE TABLE refresh_tokens (
  token_hash  text PRIMARY KEY,
  family_id   uuid NOT NULL,
  username    text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  rotated_at  timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- What happened to sessions, for support and security review. Sessions themselves live in Redis;
-- the id is stored hashed so this table cannot be used to hijack one.
CREATE TABLE session_events (
  id            bigserial PRIMARY KEY,
  session_hash  text NOT NULL,
  event         text NOT NULL CHECK (event IN ('created', 'signed_in', 'ended', 'migrated')),
  username      text,
  instance      text NOT NULL,
  occurred_at   timestamptz NOT NULL
);
CREATE INDEX session_events_session ON session_events (session_hash);
CREATE INDEX session_events_time ON session_events (occurred_at);
