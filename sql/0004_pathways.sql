-- PLIE pathways (DOMAIN §5, §6): the PLIE a facilitateur's service serves, each with its profile (rules
-- and targets from config.toml); pathways as their own records (several per person over the years), with
-- reviews, extensions and a detailed exit; employment outside clauses; committee decisions per pathway;
-- coded prescriber, qualification, labour-market status and priority area; criteria end dates; the
-- priority area frozen on placements.

CREATE TABLE plie (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    -- A profile of config.toml ([profiles.NAME]); checked by the service when written and when read.
    profile text NOT NULL CHECK (length(profile) > 0),
    -- INSEE codes of the communes the PLIE covers.
    communes text[] NOT NULL DEFAULT '{}'
        CHECK (array_to_string(communes, ',') ~ '^(([0-9]{2}|2A|2B)[0-9]{3}(,([0-9]{2}|2A|2B)[0-9]{3})*)?$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plie_name_unique UNIQUE (name)
);

CREATE TABLE pathways (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants(id),
    plie_id uuid NOT NULL REFERENCES plie(id),
    entry_date date NOT NULL,
    referent_user_id uuid REFERENCES users(id),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'exited')),
    -- The exit date is the pathway's last day.
    exit_date date,
    exit_kind text CHECK (exit_kind IN (
        'employment_cdi', 'employment_cdd', 'employment_work_study', 'employment_subsidised', 'employment_temp_work',
        'employment_business_creation', 'employment_unspecified', 'qualifying_training',
        'dropped_out', 'moved_away', 'health', 'maternity', 'deceased', 'retired', 'max_length', 'referred', 'other')),
    exit_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pathways_exit_consistent CHECK (
        (status = 'exited') = (exit_date IS NOT NULL) AND (exit_date IS NULL) = (exit_kind IS NULL)),
    CONSTRAINT pathways_exit_after_entry CHECK (exit_date IS NULL OR exit_date >= entry_date),
    -- Lets decisions name the pathway and its person consistently (composite foreign key below).
    CONSTRAINT pathways_id_participant UNIQUE (id, participant_id)
);
-- One open pathway per person and PLIE.
CREATE UNIQUE INDEX pathways_one_open ON pathways (participant_id, plie_id) WHERE status <> 'exited';
CREATE INDEX pathways_participant ON pathways (participant_id, entry_date);
CREATE INDEX pathways_referent ON pathways (referent_user_id, participant_id);
CREATE INDEX pathways_plie_entry ON pathways (plie_id, entry_date);
CREATE INDEX pathways_plie_exit ON pathways (plie_id, exit_date) WHERE exit_date IS NOT NULL;

-- Points d'étape.
CREATE TABLE pathway_reviews (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pathway_id uuid NOT NULL REFERENCES pathways(id),
    review_date date NOT NULL,
    note text,
    recorded_by uuid REFERENCES users(id),
    recorded_by_label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pathway_reviews_once UNIQUE (pathway_id, review_date)
);

-- Extensions beyond the profile's length: requested by the référent, decided on the committee's list by
-- a facilitator or an admin. The quota figures at the decision are kept with it.
CREATE TABLE pathway_extensions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pathway_id uuid NOT NULL REFERENCES pathways(id),
    months integer NOT NULL CHECK (months BETWEEN 1 AND 36),
    reason text NOT NULL CHECK (length(btrim(reason)) > 0),
    requested_on date NOT NULL,
    requested_by uuid REFERENCES users(id),
    requested_by_label text NOT NULL,
    status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'accepted', 'refused')),
    decided_on date,
    decided_by uuid REFERENCES users(id),
    decided_by_label text,
    decision_note text,
    -- The référent's file active, the quota and the extended pathways counted when deciding (quota
    -- profiles only), and an admin's reason for going beyond the quota.
    file_active integer,
    quota_share numeric(5, 4),
    quota integer,
    extended integer,
    override_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pathway_extensions_decision CHECK ((status = 'requested') = (decided_on IS NULL)
        AND (decided_on IS NULL) = (decided_by_label IS NULL))
);
CREATE INDEX pathway_extensions_pathway ON pathway_extensions (pathway_id);
-- At most one undecided request per pathway.
CREATE UNIQUE INDEX pathway_extensions_one_pending ON pathway_extensions (pathway_id) WHERE status = 'requested';

-- Paid work outside clause placements, recorded by a référent: it feeds outcome detection and the
-- "emplois de parcours" count.
CREATE TABLE employment_episodes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants(id),
    employer_name text NOT NULL CHECK (length(btrim(employer_name)) > 0),
    contract_type text NOT NULL CHECK (contract_type IN ('cdi', 'cdd', 'cddChantier', 'cddi', 'temporaryWork',
        'ettiAssignment', 'apprenticeship', 'professionalisation', 'subsidised', 'training')),
    start_date date NOT NULL,
    end_date date,
    weekly_hours numeric(5, 2) CHECK (weekly_hours > 0 AND weekly_hours <= 60),
    reduced_hours_agreed boolean NOT NULL DEFAULT false,
    -- Where the fact came from (the person, the employer, France Travail…), DOMAIN §11.
    source text,
    recorded_by uuid REFERENCES users(id),
    recorded_by_label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT employment_episodes_dates CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX employment_episodes_participant ON employment_episodes (participant_id, start_date);

-- The monthly hours an episode states, when known.
CREATE TABLE employment_episode_months (
    episode_id uuid NOT NULL REFERENCES employment_episodes(id) ON DELETE CASCADE,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    hours numeric(7, 2) NOT NULL CHECK (hours >= 0 AND hours <= 744),
    PRIMARY KEY (episode_id, month)
);

-- Coded fields (DOMAIN §5), mapped from the former free text; an unknown prescriber becomes "other", an
-- unknown qualification is left unstated.
ALTER TABLE participants
    ADD COLUMN priority_area text CHECK (priority_area IN ('qpv', 'tva', 'none')),
    ADD COLUMN labour_market_status text CHECK (labour_market_status IN ('job_seeker', 'inactive')),
    ADD COLUMN prescriber_code text CHECK (prescriber_code IN ('france_travail', 'mission_locale', 'cap_emploi',
        'departement', 'ccas', 'caf', 'other')),
    ADD COLUMN qualification_code text CHECK (qualification_code IN ('infra_3', '3', '4', '5', '6', '7', '8'));

UPDATE participants SET priority_area = CASE qpv_resident WHEN true THEN 'qpv' WHEN false THEN 'none' END;

UPDATE participants SET prescriber_code = CASE
    WHEN prescriber IS NULL OR btrim(prescriber) = '' THEN NULL
    WHEN prescriber ~* '(france[- ]travail|p[oô]le[- ]emploi|^ft$|^pe$)' THEN 'france_travail'
    WHEN prescriber ~* '(missions? locales?|^ml$)' THEN 'mission_locale'
    WHEN prescriber ~* 'cap[- ]emploi' THEN 'cap_emploi'
    WHEN prescriber ~* '(d[ée]partement|conseil d[ée]partemental|p[oô]le insertion)' THEN 'departement'
    WHEN prescriber ~* 'ccas' THEN 'ccas'
    WHEN prescriber ~* '(^caf$|caisse d.allocations)' THEN 'caf'
    ELSE 'other' END;

UPDATE participants SET qualification_code = CASE
    WHEN qualification_level ~* '(infra|sans dipl|aucun|^(niveau )?(vi|v bis)$)' THEN 'infra_3'
    WHEN qualification_level ~* '^(niveau )?(3|v)( |$|\()|cap|bep' THEN '3'
    WHEN qualification_level ~* '^(niveau )?(4|iv)( |$|\()|^bac( pro)?$|baccalaur' THEN '4'
    WHEN qualification_level ~* '^(niveau )?(5|iii)( |$|\()|bac ?\+ ?2|bts|dut' THEN '5'
    WHEN qualification_level ~* '^(niveau )?(6|ii)( |$|\()|bac ?\+ ?3|licence|^but$' THEN '6'
    WHEN qualification_level ~* '^(niveau )?(7|i)( |$|\()|bac ?\+ ?5|master' THEN '7'
    WHEN qualification_level ~* '^(niveau )?8( |$|\()|bac ?\+ ?8|doctorat' THEN '8'
    END;

-- Existing pathways move to their own table, under one PLIE with the profile `ledger.outcome_profile` named
-- (the migrator sets clauses.legacy_outcome_profile; the administrator renames the PLIE afterwards). A participant gets a pathway when
-- anything said they were in one: an entry date, a référent, an exit, a PLIE proof or a committee decision.
INSERT INTO plie (name, profile)
SELECT 'PLIE (reprise des parcours existants)',
       coalesce(nullif(current_setting('clauses.legacy_outcome_profile', true), ''), 'istres-ouest-provence-2020')
WHERE EXISTS (
    SELECT 1 FROM participants p
    WHERE p.plie_entry_date IS NOT NULL OR p.referent_user_id IS NOT NULL OR p.pathway_status <> 'active'
       OR EXISTS (SELECT 1 FROM eligibility_criteria ec WHERE ec.participant_id = p.id AND ec.code = 'PLIE')
       OR EXISTS (SELECT 1 FROM outcome_decisions d WHERE d.participant_id = p.id));

INSERT INTO pathways (participant_id, plie_id, entry_date, referent_user_id, status, exit_date, exit_kind)
SELECT p.id, (SELECT id FROM plie),
       -- Never after the exit (least() ignores a NULL exit).
       least(coalesce(p.plie_entry_date,
                      (SELECT min(ec.proof_date) FROM eligibility_criteria ec WHERE ec.participant_id = p.id AND ec.code = 'PLIE'),
                      (p.created_at AT TIME ZONE 'Europe/Paris')::date),
             p.exit_date),
       p.referent_user_id, p.pathway_status, p.exit_date,
       CASE p.exit_kind WHEN 'positive_employment' THEN 'employment_unspecified'
                        WHEN 'positive_training' THEN 'qualifying_training'
                        ELSE p.exit_kind END
FROM participants p
WHERE p.plie_entry_date IS NOT NULL OR p.referent_user_id IS NOT NULL OR p.pathway_status <> 'active'
   OR EXISTS (SELECT 1 FROM eligibility_criteria ec WHERE ec.participant_id = p.id AND ec.code = 'PLIE')
   OR EXISTS (SELECT 1 FROM outcome_decisions d WHERE d.participant_id = p.id);

ALTER TABLE participants
    DROP CONSTRAINT participants_exit_consistent,
    DROP CONSTRAINT participants_exit_after_entry,
    DROP COLUMN qpv_resident,
    DROP COLUMN prescriber,
    DROP COLUMN qualification_level,
    DROP COLUMN referent_user_id,
    DROP COLUMN plie_entry_date,
    DROP COLUMN pathway_status,
    DROP COLUMN exit_date,
    DROP COLUMN exit_kind;
ALTER TABLE participants RENAME COLUMN prescriber_code TO prescriber;
ALTER TABLE participants RENAME COLUMN qualification_code TO qualification_level;

-- The RQTH decision's end, the PASS IAE's end.
ALTER TABLE eligibility_criteria
    ADD COLUMN valid_until date,
    ADD CONSTRAINT eligibility_criteria_valid_until CHECK (valid_until IS NULL OR valid_until >= proof_date);

-- The priority area at the placement's start, frozen like its criteria (ANRU shares are judged at hiring).
ALTER TABLE placements ADD COLUMN priority_area text CHECK (priority_area IN ('qpv', 'tva', 'none'));
UPDATE placements pl SET priority_area = p.priority_area FROM participants p WHERE p.id = pl.participant_id;

-- Committee decisions per pathway and rule, on the facts they were taken on; a référent's proposal is a
-- row too. Decisions taken before facts were recorded (facts NULL) cover any candidate of their rule
-- established the same day.
ALTER TABLE outcome_decisions
    DROP CONSTRAINT outcome_decisions_once,
    DROP CONSTRAINT outcome_decisions_rule_check,
    DROP CONSTRAINT outcome_decisions_decision_check,
    ADD COLUMN pathway_id uuid,
    ADD COLUMN facts text,
    ADD COLUMN evidence text,
    ADD CONSTRAINT outcome_decisions_rule_check
        CHECK (rule IN ('sustained_activity', 'qualifying_contract', 'subsidised_contract', 'temp_missions')),
    ADD CONSTRAINT outcome_decisions_decision_check CHECK (decision IN ('proposed', 'accepted', 'refused'));
UPDATE outcome_decisions d SET pathway_id = (
    SELECT pw.id FROM pathways pw WHERE pw.participant_id = d.participant_id ORDER BY pw.entry_date DESC LIMIT 1);
ALTER TABLE outcome_decisions
    ALTER COLUMN pathway_id SET NOT NULL,
    ADD CONSTRAINT outcome_decisions_pathway_person FOREIGN KEY (pathway_id, participant_id)
        REFERENCES pathways (id, participant_id);
-- NULL facts (migrated decisions) count as equal: no duplicate either.
CREATE UNIQUE INDEX outcome_decisions_once ON outcome_decisions (pathway_id, rule, established_on, facts) NULLS NOT DISTINCT
    WHERE decision <> 'proposed';
CREATE UNIQUE INDEX outcome_proposals_once ON outcome_decisions (pathway_id, rule, established_on, facts) NULLS NOT DISTINCT
    WHERE decision = 'proposed';
CREATE INDEX outcome_decisions_pathway ON outcome_decisions (pathway_id);
