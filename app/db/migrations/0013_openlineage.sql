-- A dataset version may name the analysis that wrote it (produced_by), so lineage runs across
-- pipeline steps; and OpenLineage events are kept per run until the run completes.

do $$
declare
    found text;
begin
    select conname into found from pg_constraint
    where conrelid = 'links'::regclass and contype = 'c'
        and pg_get_constraintdef(oid) like '%tests_hypothesis%';
    execute format('alter table links drop constraint %I', found);
end
$$;

alter table links add constraint links_kinds check (
    (type = 'trained_on' and source_kind = 'model' and target_kind = 'dataset')
    or (type = 'produced_by' and source_kind in ('model', 'dataset') and target_kind = 'analysis')
    or (type = 'tests_hypothesis' and source_kind = 'model' and target_kind = 'hypothesis')
    or (type = 'derived_from' and source_kind = 'model' and target_kind = 'model')
    or (type = 'addresses' and source_kind = 'analysis' and target_kind = 'hypothesis')
    or (type = 'uses' and source_kind = 'analysis')
);

-- The dataset version each OpenLineage (namespace, name, version) names: the same triple
-- always maps to the same version.
create table lineage_dataset_versions (
    namespace text not null,
    name text not null,
    version text not null,
    version_id text not null references artifacts (id) on delete cascade,
    primary key (namespace, name, version)
);

-- An OpenLineage run: its job, its state (the last transition seen, a terminal one kept), and
-- the analysis version it became once it completed.
create table lineage_runs (
    run_id uuid primary key,
    job_namespace text not null,
    job_name text not null,
    state text not null
        check (state in ('START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER')),
    state_time timestamptz not null,
    analysis_id text references artifacts (id) on delete set null,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz not null default clock_timestamp()
);

-- Every event of a run once: (run, type, time) is the event's identity, so a repeat writes
-- nothing. The body is kept to merge the run's inputs, outputs and facets when it completes.
create table lineage_run_events (
    run_id uuid not null references lineage_runs (run_id) on delete cascade,
    event_type text not null,
    event_time timestamptz not null,
    body jsonb not null,
    received_at timestamptz not null default clock_timestamp(),
    primary key (run_id, event_type, event_time)
);
