-- API tokens (hashes only), the audit trail of every write, and idempotency keys.

create table api_tokens (
    id bigserial primary key,
    name text not null unique check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    -- sha256 of the token; the token itself is shown once and never stored
    token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
    scopes text[] not null
        check (cardinality(scopes) > 0 and scopes <@ array['read', 'write', 'admin']),
    created_at timestamptz not null default clock_timestamp(),
    revoked_at timestamptz
);

create table audit_log (
    id bigserial primary key,
    at timestamptz not null default clock_timestamp(),
    actor text not null,
    action text not null check (action in ('register', 'add_links', 'remove_links')),
    artifact_id text not null references artifacts (id),
    before jsonb,
    after jsonb
);
create index audit_log_by_artifact on audit_log (artifact_id, id);

create table idempotency_keys (
    actor text not null,
    key text not null check (length(key) between 1 and 200),
    operation text not null,
    fingerprint text not null,
    artifact_id text references artifacts (id),
    created_at timestamptz not null default clock_timestamp(),
    primary key (actor, key)
);
