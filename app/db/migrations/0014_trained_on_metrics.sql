-- "The best by a metric among the models trained on dataset X": each trained_on link beside
-- each metric value of its model, so a page walks one range of an index on (name, dataset
-- lineage, value) and stops once it is full, instead of reading every model trained on X
-- and its metric first (they grow with the catalog; the page does not).
--
-- Triggers on links and model_metrics keep the rows equal to the join of the two, in the
-- statement that writes either: whichever comes first at registration (the model's metrics
-- with the artifact row, then its links), curation adding or removing links, re-pinning.

create table trained_on_metrics (
    artifact_id text not null references artifacts (id) on delete cascade,
    target_lineage_id text not null,
    -- null: the link floats to the latest version of target_lineage_id
    target_version_id text,
    name text not null,
    value double precision not null,
    -- A model has one trained_on link per dataset lineage (the links primary key).
    primary key (artifact_id, target_lineage_id, name)
);

-- The version is included so that a page of a dataset version tells the links reaching it
-- from the index alone.
create index trained_on_metrics_walk
    on trained_on_metrics (name, target_lineage_id, value, artifact_id)
    include (target_version_id);

insert into trained_on_metrics (artifact_id, target_lineage_id, target_version_id, name, value)
select l.source_id, l.target_lineage_id, l.target_version_id, m.name, m.value
from links l join model_metrics m on m.artifact_id = l.source_id
where l.type = 'trained_on';

create function trained_on_metrics_links() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        delete from trained_on_metrics t
        using removed r
        where r.type = 'trained_on'
          and t.artifact_id = r.source_id and t.target_lineage_id = r.target_lineage_id;
    else
        insert into trained_on_metrics
            (artifact_id, target_lineage_id, target_version_id, name, value)
        select l.source_id, l.target_lineage_id, l.target_version_id, m.name, m.value
        from added l join model_metrics m on m.artifact_id = l.source_id
        where l.type = 'trained_on';
    end if;
    return null;
end
$$;

create trigger links_trained_on_metrics_insert
    after insert on links referencing new table as added
    for each statement execute function trained_on_metrics_links();
create trigger links_trained_on_metrics_delete
    after delete on links referencing old table as removed
    for each statement execute function trained_on_metrics_links();

-- Rescoring rewrites the links' copied sort keys often; only a change of what a link is
-- (its source, type or target) changes these rows. Transition tables cannot go with a column
-- list, so an update is one row at a time.
create function trained_on_metrics_relink() returns trigger language plpgsql as $$
begin
    if old.type = 'trained_on' then
        delete from trained_on_metrics
        where artifact_id = old.source_id and target_lineage_id = old.target_lineage_id;
    end if;
    if new.type = 'trained_on' then
        insert into trained_on_metrics
            (artifact_id, target_lineage_id, target_version_id, name, value)
        select new.source_id, new.target_lineage_id, new.target_version_id, m.name, m.value
        from model_metrics m where m.artifact_id = new.source_id;
    end if;
    return null;
end
$$;

create trigger links_trained_on_metrics_update
    after update of source_id, type, target_lineage_id, target_version_id on links
    for each row when (old.type = 'trained_on' or new.type = 'trained_on')
    execute function trained_on_metrics_relink();

create function trained_on_metrics_values() returns trigger language plpgsql as $$
begin
    if tg_op in ('DELETE', 'UPDATE') then
        delete from trained_on_metrics t
        using removed r
        where t.artifact_id = r.artifact_id and t.name = r.name;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into trained_on_metrics
            (artifact_id, target_lineage_id, target_version_id, name, value)
        select m.artifact_id, l.target_lineage_id, l.target_version_id, m.name, m.value
        from added m join links l on l.source_id = m.artifact_id and l.type = 'trained_on';
    end if;
    return null;
end
$$;

create trigger model_metrics_trained_on_insert
    after insert on model_metrics referencing new table as added
    for each statement execute function trained_on_metrics_values();
create trigger model_metrics_trained_on_delete
    after delete on model_metrics referencing old table as removed
    for each statement execute function trained_on_metrics_values();
create trigger model_metrics_trained_on_update
    after update on model_metrics referencing old table as removed new table as added
    for each statement execute function trained_on_metrics_values();
