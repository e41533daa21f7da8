-- Login security: failed attempts (for the throttle, and for admins to read) and one-time login-form
-- tokens. Both are pruned by the service's periodic maintenance.

CREATE TABLE login_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The address typed (lower-cased, at most 254 characters), whether or not an account has it.
    email text NOT NULL CHECK (length(email) <= 254),
    -- The client's IP address (behind a trusted proxy: the one it forwarded).
    address text NOT NULL CHECK (length(address) <= 64),
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, attempted_at);
CREATE INDEX login_failures_address ON login_failures (address, attempted_at);
CREATE INDEX login_failures_time ON login_failures (attempted_at);

CREATE TABLE login_form_tokens (
    -- SHA-256 of the token given with the login form: each one is accepted once.
    token_hash bytea PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX login_form_tokens_expiry ON login_form_tokens (expires_at);
