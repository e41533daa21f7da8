-- Matching participants to a lot's staffing needs (DOMAIN §7): the reference data it reads (ROME job codes
-- and appellations, French communes with their centres), the needs a contractor expresses on a lot, the
-- candidates proposed for a need with the score explained when they were proposed, and the few facts the
-- score may read that were not recorded yet (a buyer's diversity goals and their basis, a pathway's
-- validated professional project, the contact a participant agreed to share with an employer).

-- ROME 4.0 (France Travail): one row per job code, loaded by `clauses refdata import rome`.
CREATE TABLE rome_jobs (
    code text PRIMARY KEY CHECK (code ~ '^[A-N][0-9]{4}$'),
    label text NOT NULL CHECK (length(btrim(label)) > 0)
);

-- The job titles people type (« Maçon / Maçonne »), each under its ROME code: the trade autocomplete.
CREATE TABLE rome_appellations (
    id integer PRIMARY KEY,
    rome_code text NOT NULL REFERENCES rome_jobs(code),
    label text NOT NULL CHECK (length(btrim(label)) > 0)
);
CREATE INDEX rome_appellations_code ON rome_appellations (rome_code);

-- French communes (INSEE COG), loaded by `clauses refdata import communes`; Paris, Marseille and Lyon have
-- their arrondissements and a row of their own whose centre is the arrondissements' mean.
CREATE TABLE communes (
    insee text PRIMARY KEY CHECK (insee ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    departement text NOT NULL,
    -- Degrees (WGS 84), as the source gives them (5 decimals); both NULL when it gives no centre (the distance
    -- is then unknown). Floating point: geometry, never an amount; the shortlist's pre-selection does its
    -- arithmetic on every resident.
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    CONSTRAINT communes_centre_whole CHECK ((latitude IS NULL) = (longitude IS NULL))
);
-- The shortlist's pre-selection: communes in a box around the work site, then their residents.
CREATE INDEX communes_position ON communes (latitude, longitude) WHERE latitude IS NOT NULL;
CREATE INDEX participants_commune ON participants (commune_insee);
-- The largest mobility range stated sizes that box.
CREATE INDEX participants_max_travel ON participants (max_travel_km) WHERE max_travel_km IS NOT NULL;

-- What a contractor asks for on a lot.
CREATE TABLE staffing_needs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    lot_id uuid NOT NULL REFERENCES lots(id),
    -- Codes of rome_jobs, checked by the service when written.
    rome_codes text[] NOT NULL CHECK (cardinality(rome_codes) BETWEEN 1 AND 5),
    headcount integer NOT NULL CHECK (headcount BETWEEN 1 AND 200),
    total_hours numeric(8, 2) CHECK (total_hours > 0),
    weekly_hours numeric(5, 2) CHECK (weekly_hours > 0 AND weekly_hours <= 60),
    planned_start date NOT NULL,
    planned_end date,
    contract_type text NOT NULL CHECK (contract_type IN ('cdi', 'cdd', 'cddChantier', 'cddi', 'temporaryWork',
        'ettiAssignment', 'apprenticeship', 'professionalisation', 'subsidised', 'training')),
    driving_licence_required boolean NOT NULL DEFAULT false,
    vehicle_required boolean NOT NULL DEFAULT false,
    notes text,
    -- open: candidates are sought; filled: the company has its people; cancelled: no longer needed.
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'cancelled')),
    created_by uuid REFERENCES users(id),
    created_by_label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staffing_needs_dates CHECK (planned_end IS NULL OR planned_end >= planned_start)
);
CREATE INDEX staffing_needs_lot ON staffing_needs (lot_id, planned_start);

-- A candidate proposed to the company for a need, and the answer. The score and its parts are kept as
-- they were when the candidate was proposed: the choice can be explained later as it was made.
CREATE TABLE need_proposals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    need_id uuid NOT NULL REFERENCES staffing_needs(id),
    participant_id uuid NOT NULL REFERENCES participants(id),
    status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'hired', 'refused', 'withdrawn')),
    score numeric(8, 2) NOT NULL,
    parts jsonb NOT NULL,
    -- Why the company refused, or why the facilitateur withdrew the proposal.
    reason text,
    placement_id uuid REFERENCES placements(id),
    proposed_by uuid REFERENCES users(id),
    proposed_by_label text NOT NULL,
    proposed_at timestamptz NOT NULL DEFAULT now(),
    decided_by uuid REFERENCES users(id),
    decided_by_label text,
    decided_at timestamptz,
    CONSTRAINT need_proposals_once UNIQUE (need_id, participant_id),
    CONSTRAINT need_proposals_reason CHECK (status NOT IN ('refused', 'withdrawn') OR length(btrim(reason)) > 0),
    CONSTRAINT need_proposals_hired CHECK ((status = 'hired') = (placement_id IS NOT NULL)),
    CONSTRAINT need_proposals_decided CHECK ((status = 'proposed') = (decided_at IS NULL))
);
CREATE INDEX need_proposals_participant ON need_proposals (participant_id);

-- A buyer's diversity goals for the people placed on its marchés (positive action, Code du travail
-- L1132-1): the shortlist gives them points only with their written basis (a deliberation, the contract).
ALTER TABLE buyers
    ADD COLUMN diversity_goals text[] NOT NULL DEFAULT '{}' CHECK (diversity_goals <@ ARRAY['women', 'seniors']),
    ADD COLUMN diversity_basis text,
    ADD CONSTRAINT buyers_diversity_basis CHECK (cardinality(diversity_goals) = 0 OR length(btrim(diversity_basis)) > 0);

-- The professional project the référent validated during the pathway.
ALTER TABLE pathways ADD COLUMN project_validated_on date;

-- The contact the participant agreed to share with an employer they are proposed to, and when.
ALTER TABLE participants
    ADD COLUMN contact_sharing text NOT NULL DEFAULT 'none' CHECK (contact_sharing IN ('none', 'phone', 'email', 'phone_email')),
    ADD COLUMN contact_consent_on date,
    ADD CONSTRAINT participants_contact_consent CHECK (contact_sharing = 'none' OR contact_consent_on IS NOT NULL);
