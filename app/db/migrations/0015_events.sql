-- The change feed's outbox. Every write that changes what a client can see inserts its events in
-- its own transaction, so a rolled-back write leaves none and a committed one cannot lose them.
--
-- `id` is the public position of an event. A sequence alone would number events in insert order,
-- and a reader that has seen id 7 could later meet id 6 from a slower transaction; resuming
-- "after 7" would then skip it. So ids are given at commit, by a deferred trigger that first
-- locks the one row of events_clock: whoever numbers events holds that lock until it commits,
-- so ids follow commit order, and every event that will ever get an id <= N is visible once N is.
create table events_clock (
    only_row boolean primary key default true check (only_row),
    -- Events with an id up to this one were deleted by retention: resuming before it has gaps.
    pruned_through bigint not null default 0
);
insert into events_clock default values;

create sequence events_id_seq;

create table events (
    row_id bigserial primary key,
    id bigint unique,
    at timestamptz not null default now(),
    name text not null,
    payload jsonb not null
);
create index events_by_name on events (name, id);
create index events_by_time on events (at);

create function events_number() returns trigger
language plpgsql as $$
begin
    perform 1 from events_clock for update;
    update events set id = nextval('events_id_seq') where row_id = new.row_id;
    -- One wake-up per transaction (equal payloads are folded): listeners read the table.
    perform pg_notify('registry_events', '');
    return null;
end
$$;

create constraint trigger events_number after insert on events
    deferrable initially deferred for each row execute function events_number();
