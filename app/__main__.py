"""Command line: ``python -m app serve`` runs the registry."""

from __future__ import annotations

import argparse
import sys

from app import cli
from app.http.observability import configure_logging
from app.settings import PROJECT_ROOT, SettingError, Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="The model registry.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the registry (starts an embedded PostgreSQL if needed)")
    sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    tables = sub.add_parser(
        "readme-tables",
        help="print the README's tables made from the code: configuration (app/settings/table.py)"
        " and errors (app/errors.py); --write also rewrites the REST parameters"
        " (app/http/openapi.py)",
    )
    tables.add_argument("--write", action="store_true", help="rewrite the tables in README.md")
    cli.add_token_commands(sub)
    sub.add_parser(
        "check-scores",
        help="recompute every model's score and warnings; list stale ones, exit 1 if any",
    )
    args = parser.parse_args(argv)
    if args.command == "schema":
        from app.schema import schema

        print(schema.as_str())
        return 0
    if args.command == "readme-tables":
        return _readme_tables(write=args.write)
    # Every other command reads the settings: a bad one stops it here, in one line, before any
    # database is started.
    try:
        settings = Settings.from_env()
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "tokens":
        return cli.tokens_command(args)
    if args.command == "check-scores":
        return cli.check_scores_command(args)
    configure_logging()
    if args.command == "serve":
        from app import server

        server.serve(settings)
    return 0


def _readme_tables(*, write: bool) -> int:
    from app import readme_tables
    from app.http import rest_docs
    from app.settings import readme

    if not write:
        print(readme.markdown_table())
        print(readme_tables.errors_table(), end="")
        return 0
    path = PROJECT_ROOT / "README.md"
    text = readme.with_table(path.read_text())
    text = readme_tables.with_table(
        text, readme_tables.ERRORS_HEADING, readme_tables.errors_table()
    )
    text = readme_tables.with_table(text, rest_docs.HEADING, rest_docs.parameters_table())
    path.write_text(text)
    print(f"wrote the configuration, error and REST parameter tables of {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
