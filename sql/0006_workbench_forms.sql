-- The workbench's forms: opening a participant's record is written to the audit log (action 'read',
-- readable by admins), and a committee decision can be corrected, the first decision kept beside it.

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check,
    ADD CONSTRAINT audit_log_action_check CHECK (action IN ('create', 'update', 'delete', 'read'));
-- An admin reads who opened a record, latest first.
CREATE INDEX audit_log_reads ON audit_log (entity, entity_id, at DESC) WHERE action = 'read';

ALTER TABLE outcome_decisions
    -- The decision as the committee first recorded it, when it was corrected since.
    ADD COLUMN first_decision text CHECK (first_decision IN ('accepted', 'refused')),
    ADD COLUMN corrected_at timestamptz,
    ADD COLUMN corrected_by uuid REFERENCES users(id),
    ADD COLUMN corrected_by_label text,
    ADD COLUMN correction_reason text,
    ADD CONSTRAINT outcome_decisions_correction CHECK (
        (corrected_at IS NULL) = (correction_reason IS NULL)
        AND (corrected_at IS NULL OR decision <> 'proposed'));
-- The committee's past decisions, latest first.
CREATE INDEX outcome_decisions_decided ON outcome_decisions (decided_at DESC) WHERE decision <> 'proposed';
