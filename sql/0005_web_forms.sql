-- The web pages' forms: one-time tokens (a form sent twice does its work once) and checked import
-- files waiting for « Importer pour de bon ». Both expire and are pruned by the periodic maintenance.

CREATE TABLE form_tokens (
    -- SHA-256 of the token printed in a page's forms: accepted once, from the person it was given to.
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE INDEX form_tokens_expiry ON form_tokens (expires_at);

CREATE TABLE import_drafts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('hours', 'participants')),
    -- The options checked with the file (replace, confirm, validate), as given.
    replace boolean NOT NULL,
    confirm boolean NOT NULL,
    validate boolean NOT NULL,
    -- The file's bytes in base64 (it may not be UTF-8).
    content text NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX import_drafts_expiry ON import_drafts (expires_at);

-- What the pages' searches compare: lower case, accents removed, so « Eloise » finds « Éloïse ».
CREATE FUNCTION search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(lower($1), 'àáâäãåçéèêëíìîïñóòôöõúùûüýÿ', 'aaaaaaceeeeiiiinooooouuuuyy')
$$;

-- The review queue (« Relevés à valider ») and its count read only the reports waiting for validation.
CREATE INDEX hour_reports_pending ON hour_reports (month, declared_at, id) WHERE current AND status = 'declared';
