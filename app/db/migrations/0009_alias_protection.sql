-- Protected aliases: moving one needs the promote scope and passes its gate (provenance
-- complete, not archived, each gate metric holding). lineage_id '*' protects the alias of
-- every lineage. An admin may force a refused move; the move records it.

create table alias_protections (
    lineage_id text not null check (lineage_id = '*' or lineage_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,118}$'),
    alias text not null
        check (alias ~ '^[a-z0-9][a-z0-9_-]{0,63}$' and alias !~ '^(latest|v[0-9]+)$'),
    gate jsonb not null default '[]' check (jsonb_typeof(gate) = 'array'),
    actor text not null,
    at timestamptz not null default clock_timestamp(),
    primary key (lineage_id, alias)
);

alter table alias_moves add column forced boolean not null default false;

alter table api_tokens drop constraint api_tokens_scopes_check;
alter table api_tokens add constraint api_tokens_scopes_check
    check (cardinality(scopes) > 0 and scopes <@ array['read', 'write', 'promote', 'admin']);
