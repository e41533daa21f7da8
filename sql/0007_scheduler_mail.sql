-- The scheduler's runs and the mail outbox.

-- One row a run of a job: by the scheduler for a slot of its cron schedule (`slot`), or from the command
-- line (`slot` NULL). A slot is run once across every instance (the unique index), a run that was still
-- going when later slots came records the latest of them as skipped.
CREATE TABLE job_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job text NOT NULL CHECK (job ~ '^[a-z][a-z-]*$'),
    slot timestamptz,
    -- The day the run took as today (`--as-of`), for backfills; NULL: the clock's.
    as_of date,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    outcome text NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'skipped')),
    -- What the run did, as named counts ({"sent": 12, "retried": 1}).
    counts jsonb NOT NULL DEFAULT '{}',
    -- Why it failed or was skipped, in French.
    error text,
    -- host:pid of the process that ran it.
    instance text NOT NULL,
    CHECK ((outcome = 'running') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX job_runs_slot ON job_runs (job, slot) WHERE slot IS NOT NULL;
CREATE INDEX job_runs_latest ON job_runs (job, started_at DESC);

-- A message waits here from the transaction that announces it until it is sent or given up. The sender
-- claims due messages (status 'sending') with FOR UPDATE SKIP LOCKED, sends them after that commit, then
-- records the answer; a message left 'sending' by a crash goes back to 'pending' at the sender's next run.
CREATE TABLE mail_outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stable across attempts, so a message sent twice after a crash can be recognised.
    message_id text NOT NULL UNIQUE,
    -- What the message is (test, alert, digest, report…), for the admin page and the metrics.
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z-]*$'),
    recipients text[] NOT NULL CHECK (cardinality(recipients) > 0),
    subject text NOT NULL,
    text_body text NOT NULL,
    html_body text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    sent_at timestamptz,
    -- The last failure as the server or libcurl gave it (French), and the SMTP reply code when there was one.
    last_error text,
    last_smtp_code integer,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
-- The sender's queue: due messages, oldest first.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_outbox_status ON mail_outbox (status, created_at DESC);

CREATE TABLE mail_attachments (
    message uuid NOT NULL REFERENCES mail_outbox(id) ON DELETE CASCADE,
    position integer NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (message, position)
);
