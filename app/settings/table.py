"""Every setting the server reads: the one table Settings, the README and validation come from.

New settings take the ``REGISTRY_`` prefix, except database URLs, which follow ``DATABASE_URL``;
the unprefixed names below predate that rule and keep their names.
"""

from __future__ import annotations

from app.settings.declarations import Kind, Setting
from app.settings.feed_table import FEED_SETTINGS

# A variable with this prefix that is not in the table is refused: a typo must not pass unseen.
PREFIX = "REGISTRY_"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "database_url",
        Kind.OPTIONAL_STRING,
        None,
        "PostgreSQL to use; when unset an embedded server is started in `REGISTRY_DATA_DIR`",
    ),
    Setting(
        "DATABASE_DIRECT_URL",
        "database_direct_url",
        Kind.OPTIONAL_STRING,
        None,
        "the primary without a pooler in between, for migrations, the role's session defaults"
        " and `LISTEN`; set it when `DATABASE_URL` goes through PgBouncer, which it then tells"
        " the pool (see Replicas and PgBouncer)",
    ),
    Setting(
        "DATABASE_REPLICA_URLS",
        "database_replica_urls",
        Kind.LIST,
        (),
        "streaming replicas of the primary that serve reads; a read presenting"
        " `X-Registry-Position` goes to one that has replayed that far, else to the primary",
    ),
    Setting(
        "REGISTRY_REPLICA_MAX_LAG_BYTES",
        "replica_max_lag_bytes",
        Kind.INT,
        16 * 1024 * 1024,
        "a replica further behind the primary than this much WAL serves no reads until it"
        " catches up",
        at_least=0,
    ),
    Setting(
        "REGISTRY_REPLICA_POLL_S",
        "replica_poll_s",
        Kind.FLOAT,
        0.1,
        "how often each process asks every replica (and the primary) how far it has replayed",
        above=0,
    ),
    Setting(
        "REGISTRY_DATA_DIR",
        "data_dir",
        Kind.PATH,
        "data/pg",
        "data folder of the embedded server; the default is inside the project folder",
    ),
    Setting(
        "REGISTRY_DEMO_DATA",
        "load_demo",
        Kind.OPTIONAL_FLAG,
        None,
        "`1`/`0` forces loading the demo catalog into an empty database on/off; unset loads it"
        " only into the embedded server",
    ),
    Setting(
        "REGISTRY_REQUIRE_READ_AUTH",
        "require_read_auth",
        Kind.FLAG,
        False,
        "`1`: queries, REST reads and `/metrics` need a token with the `read` scope too",
    ),
    Setting("HOST", "host", Kind.STRING, "127.0.0.1", "address `python -m app serve` listens on"),
    Setting(
        "PORT",
        "port",
        Kind.INT,
        8000,
        "port `python -m app serve` listens on",
        at_least=1,
        at_most=65535,
    ),
    Setting(
        "DB_POOL_MIN",
        "pool_min_size",
        Kind.INT,
        2,
        "database connections per process kept open",
        at_least=1,
    ),
    Setting(
        "DB_POOL_MAX",
        "pool_max_size",
        Kind.INT,
        10,
        "most database connections per process; at least `DB_POOL_MIN`",
        at_least=1,
    ),
    Setting(
        "POOL_ACQUIRE_TIMEOUT_S",
        "pool_acquire_timeout_s",
        Kind.FLOAT,
        1.0,
        "longest wait for a free connection before answering 503",
        above=0,
    ),
    Setting(
        "STATEMENT_TIMEOUT_MS",
        "statement_timeout_ms",
        Kind.INT,
        5000,
        "PostgreSQL `statement_timeout` of every pooled connection",
        at_least=1,
    ),
    Setting(
        "REQUEST_TIMEOUT_S",
        "request_timeout_s",
        Kind.FLOAT,
        10.0,
        "deadline of a request, counted once its body has arrived",
        above=0,
    ),
    Setting(
        "DB_RETRY_WINDOW_S",
        "db_retry_window_s",
        Kind.FLOAT,
        5.0,
        "how long reads (and writes with an idempotency key) retry while the database restarts;"
        " `0` tries once",
        at_least=0,
    ),
    Setting(
        "MAX_BODY_BYTES",
        "max_body_bytes",
        Kind.INT,
        1024 * 1024,
        "request body limit, also for chunked bodies",
        at_least=1,
    ),
    Setting(
        "REGISTRY_BODY_TIMEOUT_S",
        "body_timeout_s",
        Kind.FLOAT,
        10.0,
        "a request body must arrive whole within this, or the answer is 408",
        above=0,
    ),
    Setting(
        "REGISTRY_HEADER_TIMEOUT_S",
        "header_timeout_s",
        Kind.FLOAT,
        10.0,
        "a request head (request line and headers) must arrive whole within this of the"
        " connection opening or the previous response ending, or the connection is closed",
        above=0,
    ),
    Setting(
        "REGISTRY_KEEPALIVE_TIMEOUT_S",
        "keepalive_timeout_s",
        Kind.INT,
        5,
        "whole seconds an idle keep-alive connection stays open after a response"
        " (`python -m app serve`; under `uvicorn`, its `--timeout-keep-alive`)",
        at_least=1,
    ),
    Setting(
        "REGISTRY_MAX_CONNECTIONS",
        "max_connections",
        Kind.INT,
        1000,
        "open HTTP connections per process; more are answered 503",
        at_least=1,
    ),
    Setting(
        "REGISTRY_MAX_CONNECTIONS_PER_CLIENT",
        "max_connections_per_client",
        Kind.INT,
        100,
        "open HTTP connections per client address per process; more are answered 503",
        at_least=1,
    ),
    Setting(
        "MAX_RESPONSE_OBJECTS",
        "max_response_objects",
        Kind.INT,
        10_000,
        "objects per GraphQL response, across all nested lists",
        at_least=1,
    ),
    Setting(
        "REGISTRY_MAX_QUERY_COST",
        "max_query_cost",
        Kind.INT,
        1_000_000,
        "most objects a query may return by the bounds of its lists, estimated before it runs",
        at_least=1,
    ),
    Setting(
        "CORS_ALLOW_ORIGINS",
        "cors_origins",
        Kind.LIST,
        (),
        "origins allowed to call from browsers; none by default",
    ),
    Setting(
        "SHUTDOWN_GRACE_S",
        "shutdown_grace_s",
        Kind.INT,
        10,
        "on SIGTERM, whole seconds in-flight requests may take to finish (`python -m app serve`)",
        at_least=0,
    ),
    Setting(
        "REGISTRY_WORKERS",
        "workers",
        Kind.INT,
        1,
        "worker processes `python -m app serve` runs on one port (uvicorn's supervisor "
        "restarts one that dies; SIGTERM stops them all gracefully)",
        at_least=1,
        at_most=64,
    ),
    Setting(
        "ACCESS_LOG",
        "access_log",
        Kind.FLAG,
        True,
        "`0` turns off the per-request log line (metrics stay)",
    ),
    Setting(
        "REGISTRY_FAST_PATH",
        "fast_path",
        Kind.FLAG,
        True,
        "`0` answers every query, and reads every change feed event's data, through the resolvers "
        "instead of compiled SQL",
    ),
    Setting(
        "DB_STATEMENT_CACHE_SIZE",
        "statement_cache_size",
        Kind.INT,
        100,
        "asyncpg prepared statements kept per connection (each title-search pattern takes one);"
        " set `0` behind PgBouncer in transaction mode",
        at_least=0,
    ),
    *FEED_SETTINGS,
)

# Pairs (lesser, greater) of variables whose values must not be in the other order.
ORDERED: tuple[tuple[str, str], ...] = (
    ("DB_POOL_MIN", "DB_POOL_MAX"),
    ("REGISTRY_WEBHOOK_TIMEOUT_S", "REGISTRY_WEBHOOK_LEASE_S"),
)
