-- Each model's metric values as rows, so a filter or a sort on one metric walks an index on
-- (name, value) instead of reading every model's evaluation_metrics. evaluation_metrics stays
-- the one source: a trigger keeps these rows equal to it, whichever statement writes it.

create table model_metrics (
    artifact_id text not null references artifacts (id) on delete cascade,
    name text not null,
    value double precision not null,
    primary key (artifact_id, name)
);

-- "Best by rmse" and "rmse < t": one range of this index, tie-broken by id.
create index model_metrics_by_value on model_metrics (name, value, artifact_id);

insert into model_metrics (artifact_id, name, value)
select a.id, m.key, m.value::double precision
from artifacts a, jsonb_each(a.evaluation_metrics) m
where a.kind = 'model' and jsonb_typeof(m.value) = 'number';

create function model_metrics_track() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        delete from model_metrics where artifact_id = old.id;
    end if;
    if new.kind = 'model' then
        insert into model_metrics (artifact_id, name, value)
        select new.id, m.key, m.value::double precision
        from jsonb_each(new.evaluation_metrics) m
        where jsonb_typeof(m.value) = 'number';
    end if;
    return null;
end
$$;

create trigger artifacts_model_metrics
    after insert or update of evaluation_metrics on artifacts
    for each row execute function model_metrics_track();
