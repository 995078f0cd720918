-- Access and robustness: the audit log, and facts about the database file itself.

-- Who did what, when: sign-ins, views of pupil-level pages, exports of pupil data, imports,
-- changes to interventions. Rows are only ever added: analytics/store/audit.py is the only code
-- that names this table and it only inserts and selects (a test checks). Each row carries the
-- hash of the row before it, so a row changed or removed outside Rollcall breaks the chain that
-- `rollcall audit verify` checks.
CREATE TABLE audit_log (
    audit_id    BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor       VARCHAR NOT NULL,
    role        VARCHAR,
    action      VARCHAR NOT NULL,
    target      VARCHAR,
    school_urn  INTEGER,
    subject     VARCHAR,
    detail      VARCHAR,
    prev_hash   VARCHAR NOT NULL,
    row_hash    VARCHAR NOT NULL
);

-- store_id: made once, kept by backups. data_version: raised by every committed write except an
-- audit row, so cached figures refresh when the data changes and not when someone views a page.
-- demo: present only in a database that `rollcall demo` built (the synthetic trust).
CREATE TABLE store_state (
    key     VARCHAR PRIMARY KEY,
    value   VARCHAR NOT NULL
);
INSERT INTO store_state VALUES ('store_id', CAST(uuid() AS VARCHAR)), ('data_version', '0');
