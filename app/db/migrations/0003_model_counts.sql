-- Model totals by family and latest flag, kept by a trigger, so an unfiltered or
-- family-filtered page reports its total without counting the whole table.

create table model_counts (
    family text not null check (family in ('biophysical', 'deep_learning', 'statistical')),
    latest_only boolean not null,
    n bigint not null check (n >= 0),
    primary key (family, latest_only)
);

insert into model_counts (family, latest_only, n)
select f, l, (
    select count(*) from artifacts a
    where a.kind = 'model' and a.family = f and (not l or a.is_latest)
)
from unnest(array['biophysical', 'deep_learning', 'statistical']) as f,
     unnest(array[false, true]) as l;

create function model_counts_track() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' and new.kind = 'model' then
        update model_counts set n = n + 1
        where family = new.family and (not latest_only or new.is_latest);
    elsif tg_op = 'UPDATE' and new.kind = 'model' and old.is_latest is distinct from new.is_latest then
        update model_counts set n = n + (case when new.is_latest then 1 else -1 end)
        where family = new.family and latest_only;
    elsif tg_op = 'DELETE' and old.kind = 'model' then
        update model_counts set n = n - 1
        where family = old.family and (not latest_only or old.is_latest);
    end if;
    return null;
end
$$;

create trigger artifacts_model_counts
    after insert or delete or update of is_latest on artifacts
    for each row execute function model_counts_track();
