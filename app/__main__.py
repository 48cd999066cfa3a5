"""Command line: ``python -m app serve`` runs the registry."""

from __future__ import annotations

import argparse
import logging
import sys

from app import server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="The model registry.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the registry (starts an embedded PostgreSQL if needed)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "serve":
        server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
