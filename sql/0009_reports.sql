-- Bilans mailed to donneurs d'ordre (DOMAIN §8): who receives which scope's bilan, how often and in which
-- formats, and every mailing made, so that the job sends each period once per subscription and a person
-- can see what was sent to whom.

CREATE TABLE report_subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    buyer_id uuid NOT NULL REFERENCES buyers(id),
    -- contract: a marché of the buyer; operation: one of its operations; buyer: all its marchés.
    scope_kind text NOT NULL CHECK (scope_kind IN ('contract', 'operation', 'buyer')),
    scope_id uuid NOT NULL,
    recipients text[] NOT NULL CHECK (cardinality(recipients) > 0),
    -- monthly: last month's bilan on the first days of the next; quarterly: last quarter's; lot_end: the
    -- scope's bilan since the start, once a lot of the scope has ended.
    frequency text NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'lot_end')),
    formats text[] NOT NULL CHECK (cardinality(formats) > 0 AND formats <@ ARRAY['html', 'csv']),
    active boolean NOT NULL DEFAULT true,
    -- Periods ended (and lots ended) before this civil date are not mailed: no backlog at creation.
    starts_on date NOT NULL,
    created_by_label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_subscriptions_buyer ON report_subscriptions (buyer_id);

CREATE TABLE report_mailings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subscription_id uuid NOT NULL REFERENCES report_subscriptions(id),
    -- `2026-11`, `2026-Q3`, or `fin-lot-<lot id>`.
    period_code text NOT NULL,
    -- Sent by hand by a facilitator (a scheduled mailing is unique per period).
    manual boolean NOT NULL DEFAULT false,
    recipients text[] NOT NULL,
    formats text[] NOT NULL,
    mail_id uuid NOT NULL,
    sent_by_label text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX report_mailings_once ON report_mailings (subscription_id, period_code) WHERE NOT manual;
CREATE INDEX report_mailings_subscription ON report_mailings (subscription_id, sent_at);
