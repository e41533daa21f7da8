-- Alerts with a lifecycle and the team's digests (DOMAIN §9).

-- Who follows what: the facilitator in charge of a lot (by default whoever created it), and optionally of
-- a buyer or an operation (they follow every lot under it).
ALTER TABLE lots ADD COLUMN facilitator_user_id uuid REFERENCES users(id);
ALTER TABLE buyers ADD COLUMN facilitator_user_id uuid REFERENCES users(id);
ALTER TABLE operations ADD COLUMN facilitator_user_id uuid REFERENCES users(id);
CREATE INDEX lots_facilitator ON lots (facilitator_user_id) WHERE facilitator_user_id IS NOT NULL;

-- Existing lots: their creator, when the audit log names a facilitator or an admin.
UPDATE lots l SET facilitator_user_id = creator.user_id
FROM (SELECT DISTINCT ON (a.entity_id) a.entity_id, a.user_id
      FROM audit_log a JOIN users u ON u.id = a.user_id AND u.role IN ('admin', 'facilitator')
      WHERE a.entity = 'lot' AND a.action = 'create'
      ORDER BY a.entity_id, a.at) creator
WHERE creator.entity_id = l.id::text;

ALTER TABLE users ADD COLUMN digest_frequency text NOT NULL DEFAULT 'daily'
    CHECK (digest_frequency IN ('daily', 'weekly', 'none'));

-- One row per alert: opened once per (rule, subject), updated while its condition lasts, closed on the
-- first scan where it clears. A condition that comes back opens a new row; closed rows are the history.
CREATE TABLE alerts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    subject_kind text NOT NULL CHECK (subject_kind IN ('lot', 'placement', 'proof', 'pathway', 'referent', 'proposal')),
    subject_id uuid NOT NULL,
    -- Tells apart alerts of one subject (the month of a missing report, the PLIE of a quota); '' otherwise.
    subject_key text NOT NULL DEFAULT '',
    -- What people read for the subject (a lot's marché and number, a placement code, a participant's
    -- reference: never a name).
    subject_label text NOT NULL,
    -- Routing and visibility: the lot (its facilitators), the pathway (its référent), the person
    -- (référents see the people they follow), the référent a quota is about. No foreign keys: alerts are
    -- derived from the facts at each scan (a subject that disappears closes its alert at the next one),
    -- never block erasing a person, and a scan writes them by the hundred thousand.
    lot_id uuid,
    pathway_id uuid,
    participant_id uuid,
    referent_user_id uuid,
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'snoozed', 'closed')),
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    data jsonb NOT NULL,
    summary text NOT NULL,
    -- A hash of what a person reads (severity, figures, sentence, label): a scan skips unchanged alerts
    -- without reading them back.
    fingerprint bigint NOT NULL,
    opened_on date NOT NULL,
    opened_at timestamptz NOT NULL,
    updated_on date NOT NULL,
    worsened_at timestamptz,
    closed_on date,
    snoozed_until date,
    comment text,
    acted_by uuid REFERENCES users(id),
    acted_by_label text,
    acted_at timestamptz,
    CONSTRAINT alerts_closed CHECK ((state = 'closed') = (closed_on IS NOT NULL)),
    CONSTRAINT alerts_snoozed CHECK (state <> 'snoozed' OR snoozed_until IS NOT NULL)
);
CREATE UNIQUE INDEX alerts_one_current ON alerts (rule, subject_kind, subject_id, subject_key) WHERE state <> 'closed';
CREATE INDEX alerts_current ON alerts (severity, opened_on) WHERE state <> 'closed';
-- A scan looks up the current alerts of a batch of subjects; a list, the history of one subject.
CREATE INDEX alerts_subject ON alerts (subject_id);

-- Each digest considered for a recipient on a day: sent (with its message) or skipped with the reason.
CREATE TABLE digests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient text NOT NULL,
    user_id uuid REFERENCES users(id) ON DELETE SET NULL,
    digest_on date NOT NULL,
    status text NOT NULL CHECK (status IN ('sent', 'skipped')),
    reason text,
    new_count integer NOT NULL DEFAULT 0,
    worsened_count integer NOT NULL DEFAULT 0,
    open_count integer NOT NULL DEFAULT 0,
    -- The outbox message (no foreign key: prune removes sent mail).
    message uuid,
    created_at timestamptz NOT NULL,
    CONSTRAINT digests_once UNIQUE (recipient, digest_on),
    CONSTRAINT digests_reason CHECK ((status = 'skipped') = (reason IS NOT NULL))
);
CREATE INDEX digests_latest ON digests (recipient, created_at DESC) WHERE status = 'sent';
