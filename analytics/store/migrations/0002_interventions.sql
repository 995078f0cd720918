-- The attendance coordinator's records: the intervention log, the school's own intervention
-- types, and trained risk models with their model card and backtest.

CREATE SEQUENCE intervention_id_seq START 1;
CREATE SEQUENCE intervention_batch_seq START 1;
CREATE SEQUENCE risk_model_id_seq START 1;

-- The intervention log is evidence (a chronology may go to a court with a penalty notice), so
-- rows are only ever added: recording an action adds version 1, an edit adds the next version
-- with every field as it now stands, and a deletion adds a version marked deleted. Who made each
-- version and when is on the row. Actions recorded together for several pupils share a batch.
CREATE TABLE intervention_versions (
    intervention_id INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    school_urn      INTEGER NOT NULL,
    enrolment_id    INTEGER NOT NULL,
    type            VARCHAR NOT NULL,
    date            DATE NOT NULL,
    owner           VARCHAR,
    outcome         VARCHAR,
    notes           VARCHAR,
    next_review     DATE,
    batch_id        INTEGER NOT NULL,
    deleted         BOOLEAN NOT NULL,
    change_reason   VARCHAR,
    recorded_by     VARCHAR NOT NULL,
    recorded_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (intervention_id, version)
);

-- Each intervention as it now stands (its latest version), leaving out deleted ones.
CREATE VIEW interventions AS
SELECT * EXCLUDE (deleted) FROM (
    SELECT * FROM intervention_versions
    QUALIFY row_number() OVER (PARTITION BY intervention_id ORDER BY version DESC) = 1
) WHERE NOT deleted;

-- Types a school added for itself (built-in types and those from the intervention_types setting
-- are not stored). A retired type is offered no more; entries that used it keep its label.
CREATE TABLE intervention_types (
    school_urn      INTEGER NOT NULL,
    label           VARCHAR NOT NULL,
    description     VARCHAR,
    added_by        VARCHAR NOT NULL,
    added_at        TIMESTAMP NOT NULL,
    retired_by      VARCHAR,
    retired_at      TIMESTAMP,
    PRIMARY KEY (school_urn, label)
);

-- Each training run of the risk model (or the transparent rules it falls back to), newest last.
-- `card` and `backtest` are JSON documents (what the model card page shows); `model` holds the
-- fitted scikit-learn estimator, pickled, and is NULL when the run fell back to rules.
CREATE TABLE risk_models (
    model_id        INTEGER PRIMARY KEY,
    kind            VARCHAR NOT NULL,
    trained_at      TIMESTAMP NOT NULL,
    trained_by      VARCHAR NOT NULL,
    seed            INTEGER NOT NULL,
    data_through    DATE,
    sklearn_version VARCHAR NOT NULL,
    card            VARCHAR NOT NULL,
    backtest        VARCHAR,
    model           BLOB
);
