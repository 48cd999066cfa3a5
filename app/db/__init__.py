"""Database plumbing: the embedded server, the pool, migrations."""
