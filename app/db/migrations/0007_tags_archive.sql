-- Archived versions and key/value tags: state that changes after a version is written.

-- An archived version stays readable by id but leaves every latest-only list.
alter table artifacts
    add column archived_at timestamptz,
    add column archived_reason text check (length(archived_reason) <= 2000),
    add check ((archived_at is null) = (archived_reason is null));

create table tags (
    artifact_id text not null references artifacts (id) on delete cascade,
    key text not null
        check (key ~ '^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$'),
    value text not null check (length(value) <= 256),
    primary key (artifact_id, key)
);
-- The tag filter: every version with a key, or a key and value.
create index tags_by_key_value on tags (key, value, artifact_id);

-- The latest-only totals count what the latest-only lists show: latest and not archived.
create or replace function model_counts_track() returns trigger language plpgsql as $$
declare
    was_listed boolean := tg_op <> 'INSERT' and old.is_latest and old.archived_at is null;
    is_listed boolean := tg_op <> 'DELETE' and new.is_latest and new.archived_at is null;
begin
    if tg_op = 'INSERT' and new.kind = 'model' then
        update model_counts set n = n + 1
        where family = new.family and (not latest_only or is_listed);
    elsif tg_op = 'UPDATE' and new.kind = 'model' and was_listed is distinct from is_listed then
        update model_counts set n = n + (case when is_listed then 1 else -1 end)
        where family = new.family and latest_only;
    elsif tg_op = 'DELETE' and old.kind = 'model' then
        update model_counts set n = n - 1
        where family = old.family and (not latest_only or was_listed);
    end if;
    return null;
end
$$;

drop trigger artifacts_model_counts on artifacts;
create trigger artifacts_model_counts
    after insert or delete or update of is_latest, archived_at on artifacts
    for each row execute function model_counts_track();

-- The audit trail records archive, restore, set_tags and remove_tags too. The check names
-- the shape of an action rather than listing them, so migrations adding actions of their own
-- need not each rewrite one list (and undo each other's).
alter table audit_log drop constraint audit_log_action_check;
alter table audit_log add constraint audit_log_action_check
    check (action ~ '^[a-z][a-z_]{0,39}$');
