-- Webhooks: the change feed pushed to receivers' URLs, one delivery per (webhook, event).
--
-- Deliveries are created by the outbox's commit trigger, in the same transaction as the events
-- they carry, right after each event gets its id. A delivery therefore exists exactly when its
-- event committed: a rolled-back write leaves none, a committed one cannot miss one, and a
-- crashed process loses nothing that a later worker will not find. The other design, a
-- per-webhook cursor over the events, would be lossless too, but every worker would have to
-- serialise on each cursor and per-event state (attempts, the next try, the delivery log)
-- would still need rows like these. The cost here is a bounded fan-out at commit: at most
-- app.webhooks.rules.MAX_WEBHOOKS rows are read per event. A webhook receives the events that
-- commit after it does.
create table webhooks (
    id uuid primary key default gen_random_uuid(),
    url text not null,
    events text[] not null check (cardinality(events) > 0),
    -- Kept as given: signing needs the secret itself, not a hash of it.
    secret text not null,
    -- The secret before the last rotation, still signed with until it is retired, so
    -- receivers can switch without dropping deliveries.
    previous_secret text,
    created_by text not null,
    created_at timestamptz not null default now(),
    secret_rotated_at timestamptz
);

create table webhook_deliveries (
    -- Sent as X-Registry-Delivery: receivers de-duplicate on it.
    id uuid primary key default gen_random_uuid(),
    webhook_id uuid not null references webhooks on delete cascade,
    -- Retention deletes old events; their deliveries, long settled, go with them.
    event_id bigint not null references events (id) on delete cascade,
    status text not null default 'pending'
        check (status in ('pending', 'delivering', 'delivered', 'failed')),
    attempts integer not null default 0,
    -- While delivering this is the lease's end: a crashed worker's claim falls due again then.
    next_attempt_at timestamptz not null default now(),
    lease_until timestamptz,
    last_status_code integer,
    last_error text,
    created_at timestamptz not null default now(),
    last_attempt_at timestamptz,
    delivered_at timestamptz,
    unique (webhook_id, event_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at)
    where status in ('pending', 'delivering');
create index webhook_deliveries_log on webhook_deliveries (webhook_id, event_id desc);

create or replace function events_number() returns trigger
language plpgsql as $$
declare
    assigned bigint;
begin
    perform 1 from events_clock for update;
    update events set id = nextval('events_id_seq') where row_id = new.row_id
        returning id into assigned;
    -- Key-share locks: a webhook being deleted meanwhile is waited for and then skipped,
    -- rather than failing this commit on its foreign key.
    insert into webhook_deliveries (webhook_id, event_id)
        select w.id, assigned from webhooks w where new.name = any(w.events)
        for key share of w;
    -- One wake-up per transaction (equal payloads are folded): listeners read the table.
    perform pg_notify('registry_events', '');
    return null;
end
$$;
