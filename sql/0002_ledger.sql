-- Ledger: participants and their eligibility proofs, placements (mises à l'emploi), monthly hour reports
-- with their full correction history, and the committee's positive-outcome decisions.
--
-- Not here (yet): lot-level pooling agreements (conventions de globalisation, DOMAIN §4 rule 2). A placement
-- only records whether its hours are worked on the operation carrying the clause (`on_clause_operation`).

CREATE TABLE participants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The PLIE's own identifier for the person: the key CSV imports match on.
    reference text NOT NULL CHECK (length(btrim(reference)) > 0),
    last_name text NOT NULL CHECK (length(btrim(last_name)) > 0),
    first_name text NOT NULL CHECK (length(btrim(first_name)) > 0),
    birth_date date,
    sex char(1) CHECK (sex IN ('F', 'M')),
    phone text,
    email text,
    commune_insee text CHECK (commune_insee ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
    -- NULL: not stated (not the same as "does not live in a QPV").
    qpv_resident boolean,
    qualification_level text,
    prescriber text,
    referent_user_id uuid REFERENCES users(id),
    -- The PLIE pathway.
    plie_entry_date date,
    pathway_status text NOT NULL DEFAULT 'active' CHECK (pathway_status IN ('active', 'suspended', 'exited')),
    exit_date date,
    exit_kind text CHECK (exit_kind IN ('positive_employment', 'positive_training', 'dropped_out', 'moved_away',
                                        'deceased', 'retired', 'referred', 'other')),
    -- ROME codes.
    skills text[] NOT NULL DEFAULT '{}',
    target_jobs text[] NOT NULL DEFAULT '{}',
    driving_licence boolean,
    vehicle boolean,
    max_travel_km integer CHECK (max_travel_km >= 0),
    available_from date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT participants_reference_unique UNIQUE (reference),
    -- An exited pathway has its exit date and kind; an open one has neither.
    CONSTRAINT participants_exit_consistent CHECK (
        (pathway_status = 'exited') = (exit_date IS NOT NULL) AND (exit_date IS NULL) = (exit_kind IS NULL)),
    CONSTRAINT participants_exit_after_entry CHECK (exit_date IS NULL OR plie_entry_date IS NULL OR exit_date >= plie_entry_date)
);
CREATE INDEX participants_referent ON participants (referent_user_id);
CREATE INDEX participants_created ON participants (created_at, id);

-- One proof of one criterion. "Proof not dated in the future" is checked by the code against the civil
-- date in Europe/Paris (LocalDate.today()), not by a CHECK against current_date: the server's clock and
-- zone are not the service's, and a CHECK is re-evaluated on every UPDATE of the row.
CREATE TABLE eligibility_criteria (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants(id),
    code text NOT NULL CHECK (code IN ('DELD', 'DETLD', 'RSA', 'ASS', 'AAH', 'AI', 'INVALIDITY', 'RQTH', 'YOUTH',
                                       'SENIOR', 'SIAE', 'E2C_EPIDE', 'PLIE', 'REASONED_OPINION')),
    -- What the proof is ("attestation France Travail", "notification CAF"…) and who attested it.
    proof_kind text,
    proof_date date NOT NULL,
    attested_by text,
    -- The facilitateur's validation: an unvalidated proof never makes anyone eligible.
    validated_at timestamptz,
    validated_by uuid REFERENCES users(id),
    validated_by_label text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT eligibility_criteria_once UNIQUE (participant_id, code, proof_date),
    CONSTRAINT eligibility_criteria_validation CHECK ((validated_at IS NULL) = (validated_by_label IS NULL))
);

CREATE SEQUENCE placement_code_seq;

CREATE TABLE placements (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- `MEP-2026-00042`: the year of the start date and a number from placement_code_seq.
    code text NOT NULL CHECK (code ~ '^MEP-[0-9]{4}-[0-9]{5,}$'),
    participant_id uuid NOT NULL REFERENCES participants(id),
    lot_id uuid NOT NULL REFERENCES lots(id),
    -- The employer (or the SIAE, ETTI, GEIQ the person is seconded by).
    company_id uuid NOT NULL REFERENCES companies(id),
    execution_mode text NOT NULL CHECK (execution_mode IN ('directHire', 'workStudy', 'temporaryWork', 'insertionTempWork',
        'associationSecondment', 'geiq', 'siaeSubcontracting', 'siaeServicePurchase', 'training')),
    contract_type text NOT NULL CHECK (contract_type IN ('cdi', 'cdd', 'cddChantier', 'cddi', 'temporaryWork', 'ettiAssignment',
        'apprenticeship', 'professionalisation', 'subsidised', 'training')),
    start_date date NOT NULL,
    end_date date,
    weekly_hours numeric(5, 2) NOT NULL CHECK (weekly_hours > 0 AND weekly_hours <= 60),
    -- The participant agreed to hours below legal part-time (matters for positive outcomes, DOMAIN §6).
    reduced_hours_agreed boolean NOT NULL DEFAULT false,
    -- DOMAIN §4 rule 2: hours worked off the operation carrying the clause do not count.
    on_clause_operation boolean NOT NULL DEFAULT true,
    -- false: recorded although the person was not eligible at the start, on the facilitateur's explicit
    -- request; its hours never count (rule 1).
    counting boolean NOT NULL DEFAULT true,
    -- The criteria valid at the start, frozen: eligibility is judged once, for the whole placement.
    eligibility_criteria text[] NOT NULL DEFAULT '{}',
    created_by uuid REFERENCES users(id),
    created_by_label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT placements_code_unique UNIQUE (code),
    CONSTRAINT placements_dates CHECK (end_date IS NULL OR end_date >= start_date),
    CONSTRAINT placements_counting_has_criteria CHECK (NOT counting OR cardinality(eligibility_criteria) > 0)
);
CREATE INDEX placements_lot ON placements (lot_id);
CREATE INDEX placements_participant ON placements (participant_id);
CREATE INDEX placements_company ON placements (company_id);
CREATE INDEX placements_created ON placements (created_at, id);

-- Hours of one placement for one month. Every declaration is a row; a correction never erases the
-- previous figure: it supersedes it (current = false) and points to it (correction_of). Exactly one
-- current row per placement and month.
CREATE TABLE hour_reports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES placements(id),
    -- First day of the month.
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    worked_hours numeric(7, 2) NOT NULL CHECK (worked_hours >= 0 AND worked_hours <= 744),
    training_hours numeric(7, 2) NOT NULL DEFAULT 0 CHECK (training_hours >= 0 AND training_hours <= 744),
    -- SIAE modes: insertion employees' hours attested by the SIAE, and the amount paid to it (€ excl. VAT).
    attested_insertion_hours numeric(7, 2) CHECK (attested_insertion_hours >= 0 AND attested_insertion_hours <= 744),
    subcontract_amount numeric(14, 2) CHECK (subcontract_amount >= 0),
    source text NOT NULL CHECK (source IN ('company', 'siae', 'facilitator')),
    status text NOT NULL DEFAULT 'declared' CHECK (status IN ('declared', 'validated', 'rejected')),
    rejection_reason text,
    comment text,
    declared_by uuid REFERENCES users(id),
    declared_by_label text NOT NULL,
    declared_at timestamptz NOT NULL DEFAULT now(),
    -- Who reviewed the report and when: set when it is validated or rejected.
    validated_by uuid REFERENCES users(id),
    validated_by_label text,
    validated_at timestamptz,
    current boolean NOT NULL DEFAULT true,
    superseded_at timestamptz,
    correction_of uuid REFERENCES hour_reports(id),
    CONSTRAINT hour_reports_month_length CHECK (
        worked_hours + training_hours <= 24 * (((month + interval '1 month')::date - month))),
    CONSTRAINT hour_reports_superseded CHECK (current = (superseded_at IS NULL)),
    CONSTRAINT hour_reports_rejection CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
    CONSTRAINT hour_reports_validation CHECK ((status = 'declared') = (validated_at IS NULL))
);
-- One current version per placement and month; covers the balance queries (index-only scans).
CREATE UNIQUE INDEX hour_reports_current ON hour_reports (placement_id, month)
    INCLUDE (status, worked_hours, training_hours, attested_insertion_hours, subcontract_amount) WHERE current;
CREATE INDEX hour_reports_history ON hour_reports (placement_id, month, declared_at);

-- The committee's decision on a detected positive outcome: recorded, never assumed.
CREATE TABLE outcome_decisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants(id),
    rule text NOT NULL CHECK (rule IN ('sustained_activity', 'qualifying_contract')),
    established_on date NOT NULL,
    decision text NOT NULL CHECK (decision IN ('accepted', 'refused')),
    note text,
    decided_by uuid REFERENCES users(id),
    decided_by_label text NOT NULL,
    decided_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outcome_decisions_once UNIQUE (participant_id, rule)
);
