-- Where a dataset's or model's bytes are: a URI, a content digest and a size. The digest is
-- stored normalised (app.locations): "<algorithm>:<lower-case hex>", a bare 8-hex MLflow
-- dataset digest as "mlflow:<hex>". Looking versions up by digest is indexed.

alter table artifacts
    add column uri text,
    add column digest text,
    add column size_bytes bigint check (size_bytes >= 0);

alter table artifacts add constraint artifacts_locations_kinds
    check (kind in ('dataset', 'model') or (uri is null and digest is null and size_bytes is null));

alter table artifacts add constraint artifacts_digest_form
    check (digest ~ '^[a-z][a-z0-9]*:[0-9a-f]+$');

create index artifacts_digest on artifacts (digest, id) where digest is not null;

-- The digest again when it has at least 128 bits (app.locations decides at write time), else
-- null: versions with equal content digests hold the same bytes. Weaker digests (an 8-hex
-- MLflow one) collide too easily to claim that.
alter table artifacts add column content_digest text
    check (content_digest is null or content_digest = digest);

create index artifacts_content_digest on artifacts (content_digest, kind, id)
    where content_digest is not null;
