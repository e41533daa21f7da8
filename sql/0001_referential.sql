-- Referential: buyers, operations, public contracts, lots, insertion clauses, companies and their roles,
-- users, sessions, API tokens and the audit log. The ledger (participants, placements, hours) follows.

CREATE TABLE buyers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    siret char(14) NOT NULL UNIQUE CHECK (siret ~ '^[0-9]{14}$'),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    buyer_id uuid NOT NULL REFERENCES buyers(id),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    -- free: no regime; anru: NPNRU works, 5 % of hours to QPV residents; gup: neighbourhood management, 10 %.
    regime text NOT NULL DEFAULT 'free' CHECK (regime IN ('free', 'anru', 'gup')),
    commune_insee text CHECK (commune_insee ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (buyer_id, name),
    UNIQUE (id, buyer_id)
);
CREATE INDEX operations_buyer ON operations (buyer_id);

CREATE TABLE public_contracts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    buyer_id uuid NOT NULL REFERENCES buyers(id),
    operation_id uuid REFERENCES operations(id),
    reference text NOT NULL CHECK (length(btrim(reference)) > 0),
    object text NOT NULL CHECK (length(btrim(object)) > 0),
    procedure text,
    notification_date date,
    duration_months integer CHECK (duration_months > 0),
    -- DECP `considerationsSociales` values.
    social_considerations text[] NOT NULL DEFAULT '{}' CHECK (social_considerations <@ ARRAY['Clause sociale', 'Critère social', 'Marché réservé', 'Pas de considération sociale']),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT public_contracts_reference_per_buyer UNIQUE (buyer_id, reference),
    -- An operation groups marchés of its own buyer only.
    CONSTRAINT public_contracts_operation_same_buyer FOREIGN KEY (operation_id, buyer_id) REFERENCES operations (id, buyer_id)
);
CREATE INDEX public_contracts_buyer ON public_contracts (buyer_id);
CREATE INDEX public_contracts_operation ON public_contracts (operation_id);

CREATE TABLE lots (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    public_contract_id uuid NOT NULL REFERENCES public_contracts(id),
    number integer NOT NULL CHECK (number > 0),
    label text NOT NULL CHECK (length(btrim(label)) > 0),
    amount_excl_vat numeric(16, 2) CHECK (amount_excl_vat >= 0),
    execution_start date,
    execution_end date,
    rome_codes text[] NOT NULL DEFAULT '{}',
    worksite_insee text CHECK (worksite_insee ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lots_number_per_contract UNIQUE (public_contract_id, number),
    CONSTRAINT lots_execution_order CHECK (execution_end IS NULL OR execution_start IS NULL OR execution_end >= execution_start)
);
CREATE INDEX lots_public_contract ON lots (public_contract_id);

CREATE TABLE insertion_clauses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    lot_id uuid NOT NULL UNIQUE REFERENCES lots(id),
    calibration_mode text NOT NULL CHECK (calibration_mode IN ('standard', 'fixed', 'shareOfWorkedHours', 'perInvoicedAmount', 'cleaningPACT')),
    -- The mode's inputs as given, so the figure can be explained and recomputed.
    calibration_inputs jsonb NOT NULL,
    rounding text NOT NULL DEFAULT 'half-up' CHECK (rounding IN ('half-up', 'down', 'up')),
    required_hours numeric(12, 0) NOT NULL CHECK (required_hours >= 0),
    unrounded_hours numeric(20, 6) NOT NULL,
    calibration_warnings text[] NOT NULL DEFAULT '{}',
    -- Per-clause overrides of the counting rules (config.toml [counting] gives the defaults).
    counting_overrides jsonb NOT NULL DEFAULT '{}',
    penalty_per_missing_hour numeric(12, 2) CHECK (penalty_per_missing_hour >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    siret char(14) NOT NULL UNIQUE CHECK (siret ~ '^[0-9]{14}$'),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    kind text NOT NULL DEFAULT 'ordinary' CHECK (kind IN ('ordinary', 'EI', 'ETTI', 'AI', 'ACI', 'EITI', 'GEIQ', 'EA', 'ESAT', 'ETT')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lot_companies (
    lot_id uuid NOT NULL REFERENCES lots(id),
    company_id uuid NOT NULL REFERENCES companies(id),
    role text NOT NULL CHECK (role IN ('contractor', 'co_contractor', 'subcontractor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, company_id)
);
CREATE UNIQUE INDEX lot_companies_one_contractor ON lot_companies (lot_id) WHERE role = 'contractor';
CREATE INDEX lot_companies_company ON lot_companies (company_id);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name text NOT NULL DEFAULT '',
    role text NOT NULL CHECK (role IN ('admin', 'facilitator', 'referent', 'buyer', 'company')),
    password_hash text NOT NULL,
    buyer_id uuid REFERENCES buyers(id),
    company_id uuid REFERENCES companies(id),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_unique UNIQUE (email),
    -- A buyer account is tied to its buyer, a company account to its company, and only those.
    CONSTRAINT users_scope CHECK (
        (role = 'buyer') = (buyer_id IS NOT NULL) AND (role = 'company') = (company_id IS NOT NULL))
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie value: a leaked table does not yield live sessions.
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name text NOT NULL DEFAULT '',
    token_hash bytea NOT NULL UNIQUE,
    -- The first characters of the token, shown to help people tell their tokens apart.
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    user_id uuid REFERENCES users(id),
    -- Who acted when no user did (a CLI command, an import, a job).
    actor text NOT NULL,
    action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entity text NOT NULL,
    entity_id text NOT NULL,
    changes jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
