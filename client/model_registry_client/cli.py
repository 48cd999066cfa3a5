"""The ``model-registry`` command: each subcommand is one function that adds its parser.

Every leaf command takes ``--url`` and ``--token`` (else $MODEL_REGISTRY_URL and
$MODEL_REGISTRY_TOKEN) and prints its answer as JSON on stdout; a refusal prints the
registry's error as JSON on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from model_registry_client.connection import TOKEN_ENV, URL_ENV
from model_registry_client.errors import RegistryError
from model_registry_client.reads import PAGE_SIZE
from model_registry_client.registry import Registry

Run = Callable[[Registry, argparse.Namespace], Any]


def _connection_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--url", help=f"the registry (default: ${URL_ENV})")
    options.add_argument("--token", help=f"a bearer token (default: ${TOKEN_ENV})")
    return options


def leaf(sub: Any, name: str, help: str, run: Run) -> argparse.ArgumentParser:
    """A command that talks to a registry: its parser, with --url and --token."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help, parents=[_connection_options()]
    )
    parser.set_defaults(run=run)
    return parser


def models_command(sub: Any) -> None:
    """``models list``: models by the REST text filter, sorted, as many as --limit asks."""
    models = sub.add_parser("models", help="list models")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = leaf(actions, "list", "list models (GET /api/models)", _list_models)
    listing.add_argument(
        "--filter", help='the text filter: "metrics.rmse < 0.05 AND latest = true"'
    )
    listing.add_argument(
        "--sort",
        help="quality_score, created_at, parameter_count or metric:<name>, with :asc or :desc",
    )
    listing.add_argument(
        "--limit",
        type=_positive,
        default=20,
        help="how many models (default 20; pages of 100 are followed)",
    )


def _list_models(registry: Registry, args: argparse.Namespace) -> Any:
    models: list[dict[str, Any]] = []
    cursor: str | None = None
    total = 0
    while True:
        want = min(PAGE_SIZE, args.limit - len(models))
        page = registry.search_models(args.filter, args.sort, limit=want, cursor=cursor)
        models += page["models"]
        total, cursor = page["total"], page["next_cursor"]
        if cursor is None or len(models) >= args.limit:
            return {"models": models, "total": total, "next_cursor": cursor}


def compare_command(sub: Any) -> None:
    """``compare ID ID ...``: the registry's comparison of 2 to 10 models."""
    compare = leaf(sub, "compare", "compare 2 to 10 models", _compare)
    compare.add_argument(
        "ids", nargs="+", metavar="ID", help="version ids, lineage ids or lineage@alias"
    )
    compare.add_argument("--baseline", help="the model deltas are taken from (default: the first)")


def _compare(registry: Registry, args: argparse.Namespace) -> Any:
    comparison = registry.compare_models(args.ids, args.baseline)
    return {**comparison, "url": registry.compare_url(args.ids, args.baseline)}


def lineage_command(sub: Any) -> None:
    """``lineage ID``: the provenance graph around a version."""
    lineage = leaf(sub, "lineage", "the provenance graph around a version", _lineage)
    lineage.add_argument("id", metavar="ID")
    lineage.add_argument("--direction", choices=("upstream", "downstream"), default="upstream")
    lineage.add_argument("--max-depth", type=_positive, default=3)
    lineage.add_argument("--limit", type=_positive, default=100)


def _lineage(registry: Registry, args: argparse.Namespace) -> Any:
    graph = registry.lineage(
        args.id, direction=args.direction, max_depth=args.max_depth, limit=args.limit
    )
    if graph is None:
        raise RegistryError("NOT_FOUND", f"no artifact {args.id}", {"ids": [args.id]})
    return graph


def import_mlflow_command(sub: Any) -> None:
    """``import-mlflow --tracking-uri URI``: an MLflow store's models, runs and datasets."""
    importing = leaf(
        sub,
        "import-mlflow",
        "import an MLflow store's registered models with their runs and datasets",
        _import_mlflow,
    )
    importing.add_argument(
        "--tracking-uri", required=True, help="the MLflow store (sqlite:///mlflow.db, http://...)"
    )
    importing.add_argument(
        "--quality-metric",
        metavar="NAME",
        help="the run metric whose value, clipped to [0, 1], is the raw quality score "
        "(default: 0.5 for every model)",
    )


def _import_mlflow(registry: Registry, args: argparse.Namespace) -> Any:
    # Imported here: the importer's module reads MLflow, which the other commands never need.
    from model_registry_client.mlflow_import import import_mlflow

    report = import_mlflow(registry, args.tracking_uri, quality_metric=args.quality_metric)
    return report.as_json()


# A new subcommand is one function that adds its parser; list it here.
COMMANDS: tuple[Callable[[Any], None], ...] = (
    models_command,
    compare_command,
    lineage_command,
    import_mlflow_command,
)


def parser() -> argparse.ArgumentParser:
    """The whole command line."""
    top = argparse.ArgumentParser(prog="model-registry", description="Talk to a model registry.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when the registry refuses, 2 for bad arguments."""
    top = parser()
    args = top.parse_args(argv)
    try:
        registry = Registry(args.url, args.token)
    except ValueError as exc:
        top.error(str(exc))
    with registry:
        try:
            result = args.run(registry, args)
        except ValueError as exc:
            top.error(str(exc))
        except RegistryError as exc:
            print(json.dumps(exc.as_json(), indent=2), file=sys.stderr)
            return 1
    print(json.dumps(result, indent=2))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
