-- Published DfE statistics imported with `rollcall import benchmarks` (or on the Import page).
-- The files shipped in data/benchmarks/ are read from disk and are not stored here; these are
-- the files imported since, so that every comparison can use the newest figure held. A file is
-- imported whole or not at all, once (by its SHA-256); its figures are never changed afterwards.
-- File ids are max + 1 inside the import's transaction (no sequence: a Parquet restore keeps them).

CREATE TABLE benchmark_files (
    file_id         INTEGER PRIMARY KEY,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL UNIQUE,
    kind            VARCHAR NOT NULL,   -- which published shape it has (analytics/reports/comparisons/shapes.py)
    source          VARCHAR NOT NULL,   -- the publication it comes from
    academic_years  VARCHAR NOT NULL,   -- e.g. "2024/25", or "2016/17 to 2022/23"
    rows_read       BIGINT NOT NULL,
    figures         BIGINT NOT NULL,
    imported_at     TIMESTAMP NOT NULL,
    imported_by     VARCHAR NOT NULL
);

-- One row per published figure (national, regional or LA), as analytics.reports.comparisons.figures.SCHEMA.
CREATE TABLE benchmark_figures (
    file_id          INTEGER NOT NULL,
    data_kind        VARCHAR NOT NULL,  -- census (definitive) or daily (estimate)
    academic_year    INTEGER NOT NULL,  -- the year it starts in: 2024 is 2024/25
    "window"         VARCHAR NOT NULL,  -- year, autumn, spring, summer, autumn_spring, week, year_to_date
    window_label     VARCHAR NOT NULL,
    window_start     DATE,
    window_end       DATE,
    geographic_level VARCHAR NOT NULL,  -- National, Regional, Local authority
    region_code      VARCHAR,
    region_name      VARCHAR,
    la_name          VARCHAR,
    new_la_code      VARCHAR,
    old_la_code      VARCHAR,
    phase            VARCHAR NOT NULL,  -- Primary, Secondary, Special, Total
    characteristic   VARCHAR NOT NULL,  -- Total, or the pupil group as the file names it
    measure          VARCHAR NOT NULL,
    value            DOUBLE NOT NULL,
    source_note      VARCHAR
);

-- One row per school and published figure of DfE's school-level files (absence rates by school,
-- and the shares of pupils eligible for free school meals and with SEN), for similar schools.
CREATE TABLE benchmark_school_figures (
    file_id          INTEGER NOT NULL,
    academic_year    INTEGER NOT NULL,
    urn              INTEGER NOT NULL,
    school_name      VARCHAR,
    phase            VARCHAR,
    old_la_code      VARCHAR,
    la_name          VARCHAR,
    measure          VARCHAR NOT NULL,  -- enrolments, absence_rate, persistent_absence_rate, fsm_percent, sen_percent, ...
    value            DOUBLE NOT NULL
);
