-- Named aliases of a lineage (`production`, `champion`), each pointing at one of its versions,
-- and every move of one: who, when, from which version to which, and why.

create table aliases (
    lineage_id text not null references lineages (id),
    alias text not null
        check (alias ~ '^[a-z0-9][a-z0-9_-]{0,63}$' and alias !~ '^(latest|v[0-9]+)$'),
    version_id text not null,
    moved_at timestamptz not null default clock_timestamp(),
    primary key (lineage_id, alias),
    -- the version is one of the lineage's own
    foreign key (version_id, lineage_id) references artifacts (id, lineage_id)
);
create index aliases_by_version on aliases (version_id);

create table alias_moves (
    id bigserial primary key,
    at timestamptz not null default clock_timestamp(),
    actor text not null,
    lineage_id text not null references lineages (id),
    alias text not null,
    from_version_id text references artifacts (id),
    to_version_id text references artifacts (id),
    reason text not null default '' check (length(reason) <= 1000),
    check (num_nonnulls(from_version_id, to_version_id) > 0)
);
create index alias_moves_by_lineage on alias_moves (lineage_id, id);

alter table audit_log drop constraint audit_log_action_check;
alter table audit_log add constraint audit_log_action_check
    check (action in ('register', 'add_links', 'remove_links', 'set_alias', 'remove_alias'));
