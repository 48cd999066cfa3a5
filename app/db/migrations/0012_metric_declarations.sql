-- One direction per metric name, registry-wide: a declared name is better higher or lower
-- for every model, in compare, in the promotion gate and in each metric's `better`. A name
-- nobody declared keeps the direction inferred from its tokens (app.metric_directions).

create table metric_declarations (
    name text primary key check (length(name) between 1 and 100),
    direction text not null check (direction in ('higher', 'lower')),
    description text not null default '' check (length(description) <= 2000),
    declared_at timestamptz not null default clock_timestamp(),
    declared_by text not null
);

-- A declaration is audited like a write to a version; its entry names the metric instead.
alter table audit_log alter column artifact_id drop not null;
alter table audit_log add column metric_name text;
alter table audit_log add constraint audit_log_subject
    check (num_nonnulls(artifact_id, metric_name) = 1);
create index audit_log_by_metric on audit_log (metric_name, id) where metric_name is not null;
