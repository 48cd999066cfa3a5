-- Model lists filtered by a dataset or a hypothesis, at any catalog size.
--
-- A page sorted by a model column and filtered through links would otherwise walk the model
-- sort index probing links, or sort every match. Copying the model's sort keys onto its
-- trained_on and tests_hypothesis links lets one ordered index scan per target produce the
-- page; counters per target give the total.

alter table links
    add column source_quality_score double precision,
    add column source_created_at timestamptz,
    add column source_parameter_count bigint;

update links l
set source_quality_score = a.quality_score,
    source_created_at = a.created_at,
    source_parameter_count = a.parameter_count
from artifacts a
where a.id = l.source_id and l.type in ('trained_on', 'tests_hypothesis');

create function links_copy_sort_keys() returns trigger language plpgsql as $$
begin
    select a.quality_score, a.created_at, a.parameter_count
    into new.source_quality_score, new.source_created_at, new.source_parameter_count
    from artifacts a where a.id = new.source_id;
    return new;
end
$$;

create trigger links_sort_keys
    before insert or update of source_id, type on links
    for each row when (new.type in ('trained_on', 'tests_hypothesis'))
    execute function links_copy_sort_keys();

-- Rescoring changes quality_score inside curation and registration transactions; the links
-- follow in the same transaction, so a page never mixes old and new scores.
create function artifacts_push_sort_keys() returns trigger language plpgsql as $$
begin
    update links
    set source_quality_score = new.quality_score,
        source_created_at = new.created_at,
        source_parameter_count = new.parameter_count
    where source_id = new.id and type in ('trained_on', 'tests_hypothesis');
    return null;
end
$$;

create trigger artifacts_sort_keys
    after update of quality_score, created_at, parameter_count on artifacts
    for each row when (
        new.kind = 'model'
        and (old.quality_score, old.created_at, old.parameter_count)
            is distinct from (new.quality_score, new.created_at, new.parameter_count)
    )
    execute function artifacts_push_sort_keys();

-- Per target: every link to a lineage, the floating ones among them, and those pinned to a
-- version. Each page sort is tie-broken by the model id, which is the link's source_id.
create index links_lineage_quality on links (target_lineage_id, type, source_quality_score, source_id)
    where type in ('trained_on', 'tests_hypothesis');
create index links_lineage_created on links (target_lineage_id, type, source_created_at, source_id)
    where type in ('trained_on', 'tests_hypothesis');
create index links_lineage_params on links (target_lineage_id, type, source_parameter_count, source_id)
    where type in ('trained_on', 'tests_hypothesis');
create index links_floating_quality on links (target_lineage_id, type, source_quality_score, source_id)
    where type in ('trained_on', 'tests_hypothesis') and target_version_id is null;
create index links_floating_created on links (target_lineage_id, type, source_created_at, source_id)
    where type in ('trained_on', 'tests_hypothesis') and target_version_id is null;
create index links_floating_params on links (target_lineage_id, type, source_parameter_count, source_id)
    where type in ('trained_on', 'tests_hypothesis') and target_version_id is null;
create index links_version_quality on links (target_version_id, type, source_quality_score, source_id)
    where type in ('trained_on', 'tests_hypothesis') and target_version_id is not null;
create index links_version_created on links (target_version_id, type, source_created_at, source_id)
    where type in ('trained_on', 'tests_hypothesis') and target_version_id is not null;
create index links_version_params on links (target_version_id, type, source_parameter_count, source_id)
    where type in ('trained_on', 'tests_hypothesis') and target_version_id is not null;

-- Models reaching a target, so a page filtered only by one dataset or hypothesis reports its
-- total without counting: a lineage's count is scope 'lineage'; a version's is its 'version'
-- count plus, while it is the latest, its lineage's 'floating' count.
create table link_counts (
    type text not null check (type in ('trained_on', 'tests_hypothesis')),
    scope text not null check (scope in ('lineage', 'floating', 'version')),
    -- a lineage id, or for scope 'version' a version id
    target_id text not null,
    -- No check on n: a decrement arrives as a negative proposed row of the upsert below.
    n bigint not null,
    primary key (type, scope, target_id)
);

insert into link_counts (type, scope, target_id, n)
select type, 'lineage', target_lineage_id, count(*) from links
where type in ('trained_on', 'tests_hypothesis') group by 1, 3
union all
select type, 'floating', target_lineage_id, count(*) from links
where type in ('trained_on', 'tests_hypothesis') and target_version_id is null group by 1, 3
union all
select type, 'version', target_version_id, count(*) from links
where type in ('trained_on', 'tests_hypothesis') and target_version_id is not null group by 1, 3;

-- One upsert per statement, in key order: concurrent writers linking the same targets lock
-- the counter rows in the same order and so cannot deadlock on them.
create function link_counts_apply(
    types text[], lineages text[], versions text[], deltas integer[]
) returns void language sql as $$
    insert into link_counts as c (type, scope, target_id, n)
    select d.type, k.scope, k.target_id, sum(d.delta)
    from unnest(types, lineages, versions, deltas) as d(type, lineage, version, delta)
    cross join lateral (
        values ('lineage', d.lineage),
               (case when d.version is null then 'floating' else 'version' end,
                coalesce(d.version, d.lineage))
    ) as k(scope, target_id)
    where d.type in ('trained_on', 'tests_hypothesis')
    group by 1, 2, 3
    having sum(d.delta) <> 0
    order by 1, 2, 3
    on conflict (type, scope, target_id) do update set n = c.n + excluded.n
$$;

create function link_counts_track() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform link_counts_apply(
            array_agg(type), array_agg(target_lineage_id), array_agg(target_version_id),
            array_agg(1))
        from added;
    elsif tg_op = 'DELETE' then
        perform link_counts_apply(
            array_agg(type), array_agg(target_lineage_id), array_agg(target_version_id),
            array_agg(-1))
        from removed;
    else
        -- Unchanged targets cancel out, so rescoring (which rewrites the sort keys) writes
        -- no counter.
        perform link_counts_apply(
            array_agg(type), array_agg(target_lineage_id), array_agg(target_version_id),
            array_agg(delta))
        from (
            select type, target_lineage_id, target_version_id, 1 as delta from added
            union all
            select type, target_lineage_id, target_version_id, -1 from removed
        ) as changed;
    end if;
    return null;
end
$$;

create trigger links_counts_insert
    after insert on links referencing new table as added
    for each statement execute function link_counts_track();
create trigger links_counts_delete
    after delete on links referencing old table as removed
    for each statement execute function link_counts_track();
create trigger links_counts_update
    after update on links referencing old table as removed new table as added
    for each statement execute function link_counts_track();
