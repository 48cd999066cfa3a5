"""Command-line tasks that talk to the database: token management, the score check."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg

from app.db.migrate import migrate
from app.db.pool import create_pool
from app.domain import ProvenanceWarning
from app.errors import RegistryError
from app.repo import tokens as token_repo
from app.service import scores, tokens
from app.settings import Settings


def add_token_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``tokens create|revoke|list``."""
    parser = sub.add_parser("tokens", help="create, revoke or list API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scope", action="append", required=True, choices=["read", "write", "admin"]
    )
    revoke = actions.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name")
    actions.add_parser("list", help="list tokens (names and scopes, never secrets)")


async def _run(dsn: str, args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        if args.action == "create":
            created = await tokens.create(conn, args.name, args.scope)
            print(created.token)
            scopes = ",".join(created.scopes)
            print(
                f"created token {created.name!r} ({scopes}); it is not shown again", file=sys.stderr
            )
        elif args.action == "revoke":
            await tokens.revoke(conn, args.name)
            print(f"revoked token {args.name!r}", file=sys.stderr)
        else:
            for row in await token_repo.list_all(conn):
                state = "revoked" if row.revoked_at else "active"
                print(f"{row.name}\t{','.join(row.scopes)}\t{state}\t{row.created_at:%Y-%m-%d}")
    except RegistryError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        await conn.close()
    return 0


def _codes(warnings: tuple[ProvenanceWarning, ...]) -> str:
    return ",".join(w.code.value for w in warnings) or "-"


async def _check_scores(dsn: str, args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        # The app's own connection setup: JSON codecs, statement cache as configured.
        pool = await create_pool(
            dsn, min_size=1, max_size=1, statement_cache_size=settings.statement_cache_size
        )
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
                found = await scores.stale(conn)
        finally:
            await pool.close()
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"error: cannot check the scores: {exc}", file=sys.stderr)
        return 2
    for s in found:
        print(
            f"{s.model_id}\tscore {s.stored_score} -> {s.expected_score}"
            f"\twarnings {_codes(s.stored_warnings)} -> {_codes(s.expected_warnings)}"
        )
    if found:
        print(f"{len(found)} models have stale scores or warnings", file=sys.stderr)
        return 1
    print("every stored score and warning matches its links", file=sys.stderr)
    return 0


def _against_database(
    run: Callable[[str, argparse.Namespace], Coroutine[Any, Any, int]], args: argparse.Namespace
) -> int:
    """Run ``run`` against DATABASE_URL or the project's embedded database."""
    settings = Settings.from_env()
    if settings.database_url:
        return asyncio.run(run(settings.database_url, args))
    from app.db.embedded import EmbeddedPostgres

    embedded = EmbeddedPostgres(settings.data_dir)
    dsn = embedded.start()
    try:
        return asyncio.run(run(dsn, args))
    finally:
        if not embedded.adopted:  # leave a server that `make run` is using alone
            embedded.stop()


def tokens_command(args: argparse.Namespace) -> int:
    """Run a token command."""
    return _against_database(_run, args)


def check_scores_command(args: argparse.Namespace) -> int:
    """Compare every model's stored score and warnings with a recomputation.

    Exits 0 when all are current, 1 when some are stale (listed on stdout), 2 on an error.
    """
    return _against_database(_check_scores, args)
