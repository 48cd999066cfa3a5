-- The catalog: lineages, their immutable versions, and the typed links between versions.

create extension if not exists pg_trgm;

create table lineages (
    id text primary key
        check (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,118}$' and id !~ '-v[0-9]+$'),
    kind text not null check (kind in ('model', 'dataset', 'analysis', 'hypothesis')),
    latest_version integer not null check (latest_version >= 1),
    unique (id, kind)
);

-- One table for the four kinds keeps every list a single index scan; the model-only
-- columns are present exactly when kind = 'model'.
create table artifacts (
    id text primary key check (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
    lineage_id text not null,
    kind text not null,
    version_number integer not null check (version_number >= 1),
    is_latest boolean not null,
    title text not null check (length(btrim(title)) between 1 and 300),
    description text not null default '' check (length(description) <= 20000),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    created_at timestamptz not null default clock_timestamp(),
    family text check (family in ('biophysical', 'deep_learning', 'statistical')),
    architecture text check (length(architecture) <= 300),
    parameter_count bigint check (parameter_count >= 0),
    training_config jsonb check (jsonb_typeof(training_config) = 'object'),
    evaluation_metrics jsonb check (jsonb_typeof(evaluation_metrics) = 'object'),
    metric_directions jsonb check (jsonb_typeof(metric_directions) = 'object'),
    raw_quality_score double precision check (raw_quality_score between 0 and 1),
    quality_score double precision
        check (quality_score between 0 and 1 and quality_score <= raw_quality_score),
    provenance_warnings jsonb check (jsonb_typeof(provenance_warnings) = 'array'),
    foreign key (lineage_id, kind) references lineages (id, kind),
    unique (lineage_id, version_number),
    unique (id, kind),
    unique (id, lineage_id),
    check (
        (kind = 'model') = (
            family is not null and architecture is not null and parameter_count is not null
            and training_config is not null and evaluation_metrics is not null
            and metric_directions is not null and raw_quality_score is not null
            and quality_score is not null and provenance_warnings is not null
        )
    ),
    check (kind = 'model' or num_nonnulls(
        family, architecture, parameter_count, training_config, evaluation_metrics,
        metric_directions, raw_quality_score, quality_score, provenance_warnings) = 0)
);

create unique index artifacts_one_latest on artifacts (lineage_id) where is_latest;
create index artifacts_kind_created on artifacts (kind, created_at, id);

-- The model list: every filter and sort the API offers, each tie-broken by id.
create index models_by_quality on artifacts (quality_score, id) where kind = 'model';
create index models_by_created on artifacts (created_at, id) where kind = 'model';
create index models_by_params on artifacts (parameter_count, id) where kind = 'model';
create index models_family_quality on artifacts (family, quality_score, id) where kind = 'model';
create index models_family_created on artifacts (family, created_at, id) where kind = 'model';
create index models_family_params on artifacts (family, parameter_count, id) where kind = 'model';
-- Case-insensitive substring search on titles (ILIKE) through trigrams.
create index artifacts_title_trgm on artifacts using gin (title gin_trgm_ops);

create table links (
    source_id text not null,
    source_kind text not null,
    type text not null,
    target_lineage_id text not null,
    target_kind text not null,
    -- null: the link floats to the latest version of target_lineage_id
    target_version_id text,
    primary key (source_id, type, target_lineage_id),
    foreign key (source_id, source_kind) references artifacts (id, kind) on delete cascade,
    foreign key (target_lineage_id, target_kind) references lineages (id, kind),
    foreign key (target_version_id, target_lineage_id) references artifacts (id, lineage_id),
    check (
        (type = 'trained_on' and source_kind = 'model' and target_kind = 'dataset')
        or (type = 'produced_by' and source_kind = 'model' and target_kind = 'analysis')
        or (type = 'tests_hypothesis' and source_kind = 'model' and target_kind = 'hypothesis')
        or (type = 'derived_from' and source_kind = 'model' and target_kind = 'model')
        or (type = 'addresses' and source_kind = 'analysis' and target_kind = 'hypothesis')
        or (type = 'uses' and source_kind = 'analysis')
    ),
    check (target_version_id is distinct from source_id)
);

create unique index links_one_producer on links (source_id) where type = 'produced_by';
create index links_by_target_lineage on links (target_lineage_id, type, source_id);
create index links_by_target_version on links (target_version_id, type, source_id)
    where target_version_id is not null;
