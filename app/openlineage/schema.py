"""Check an OpenLineage event against the vendored spec (2-0-2) and the facets we interpret.

The schemas are read from app/openlineage/spec/ once, and their ``$ref``s resolve among them
only: nothing is fetched. A refusal names the JSON pointer of the first error, where the
offending value is (or, for a missing member, where it should be).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match, relevance
from referencing import Registry, Resource

from app.errors import InvalidInput

SPEC_DIR = Path(__file__).parent / "spec"
CORE = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
# Events of spec 2-0-x: the DatasetEvent and the JobEvent came with 2-0-0.
SPEC_URL = re.compile(r"^https://openlineage\.io/spec/2-0-[0-9]+/OpenLineage\.json(#.*)?$")
MAX_DATASETS = 200  # inputs, and outputs, of one event

# The facets whose content we read, by where they sit: (entity, key) -> their definition.
DATASET, JOB, RUN = "dataset", "job", "run"
FACETS: dict[tuple[str, str], tuple[str, str]] = {
    (DATASET, "version"): (
        "facets/1-0-1/DatasetVersionDatasetFacet.json",
        "DatasetVersionDatasetFacet",
    ),
    (DATASET, "modelRegistry_model"): (
        "registry/1-0-0/ModelRegistryModelDatasetFacet.json",
        "ModelRegistryModelDatasetFacet",
    ),
    (JOB, "modelRegistry_hypotheses"): (
        "registry/1-0-0/ModelRegistryHypothesesJobFacet.json",
        "ModelRegistryHypothesesJobFacet",
    ),
    (RUN, "modelRegistry_hypotheses"): (
        "registry/1-0-0/ModelRegistryHypothesesRunFacet.json",
        "ModelRegistryHypothesesRunFacet",
    ),
}


class InvalidEvent(InvalidInput):
    """An event the spec or one of our facets refuses; ``pointer`` says where."""

    code = "INVALID_EVENT"

    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message, pointer=pointer)


def schema_files() -> list[Path]:
    """Every vendored schema, core and facets."""
    return sorted(SPEC_DIR.rglob("*.json"))


def facet_files() -> list[Path]:
    """The registry's own facet schemas, served at /api/v1/lineage/facets/<version>/<name>."""
    return sorted((SPEC_DIR / "registry").rglob("*.json"))


def read_schema(relative: str) -> dict[str, Any]:
    """One vendored schema, by its path under app/openlineage/spec/."""
    loaded: dict[str, Any] = json.loads((SPEC_DIR / relative).read_text())
    return loaded


@cache
def _registry() -> Registry[Any]:
    resources = [
        Resource.from_contents(read_schema(str(p.relative_to(SPEC_DIR)))) for p in schema_files()
    ]
    return Registry().with_resources((r.id() or "", r) for r in resources)


@cache
def _validator(ref: str) -> Draft202012Validator:
    checker = FormatChecker(formats=["uuid"])
    return Draft202012Validator({"$ref": ref}, registry=_registry(), format_checker=checker)


@cache
def _facet_validator(entity: str, key: str) -> Draft202012Validator:
    relative, name = FACETS[entity, key]
    return _validator(f"{read_schema(relative)['$id']}#/$defs/{name}")


def pointer(path: Iterable[str | int]) -> str:
    """The JSON pointer (RFC 6901) of a path of members and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _first(errors: Iterator[ValidationError]) -> ValidationError | None:
    # The deepest error of the first failing part: anyOf wraps a facet's errors in context.
    found: ValidationError | None = best_match(errors, key=relevance)
    while found is not None and found.context:
        found = best_match(found.context, key=relevance)
    return found


def _refuse(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> InvalidEvent:
    path = (*prefix, *error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        # Point at the member that is missing, not at the object that lacks it.
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        missing = next((m for m in wanted if m not in error.instance), None)
        path = (*path, missing) if missing is not None else path
    return InvalidEvent(error.message, pointer(path))


def event_type(event: Any) -> str:
    """Which of the spec's three events ``event`` means to be: a run, a dataset or a job."""
    if isinstance(event, dict) and "run" not in event:
        if "dataset" in event:
            return "DatasetEvent"
        if "job" in event:
            return "JobEvent"
    return "RunEvent"


def _facets(event: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, str, Any]]:
    """(path, entity, key, facet) of every facet present that we interpret."""
    datasets: list[tuple[tuple[str | int, ...], Any]] = [(("dataset",), event.get("dataset"))]
    for side in ("inputs", "outputs"):
        items = event.get(side)
        datasets += [((side, i), d) for i, d in enumerate(items if isinstance(items, list) else [])]
    places = [(path, DATASET, d) for path, d in datasets]
    places += [(("job",), JOB, event.get("job")), (("run",), RUN, event.get("run"))]
    for path, entity, holder in places:
        facets = holder.get("facets") if isinstance(holder, dict) else None
        for key, facet in (facets or {}).items() if isinstance(facets, dict) else ():
            if (entity, key) in FACETS and not (isinstance(facet, dict) and facet.get("_deleted")):
                yield (*path, "facets", key), entity, key, facet


def _nul(value: Any) -> tuple[str | int, ...] | None:
    """The path of the first text holding NUL, which PostgreSQL cannot store. A loop, not
    recursion: a body may nest 1,024 levels deep."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return path
        if isinstance(item, dict):
            for key in item:
                if "\x00" in key:
                    return (*path, key)
            stack += [((*path, k), v) for k, v in reversed(item.items())]
        elif isinstance(item, list):
            stack += [((*path, n), v) for n, v in reversed(list(enumerate(item)))]
    return None


def validate(event: Any) -> str:
    """The event's type (RunEvent, DatasetEvent, JobEvent), or InvalidEvent at its first error."""
    nul = _nul(event)
    if nul is not None:
        raise InvalidEvent("text must not contain NUL characters", pointer(nul))
    kind = event_type(event)
    found = _first(_validator(f"{CORE}#/$defs/{kind}").iter_errors(event))
    if found is not None:
        raise _refuse(found)
    assert isinstance(event, dict)
    if not SPEC_URL.match(event["schemaURL"]):
        raise InvalidEvent("this endpoint takes events of OpenLineage spec 2-0-x", "/schemaURL")
    for side in ("inputs", "outputs"):
        if len(event.get(side) or []) > MAX_DATASETS:
            raise InvalidEvent(f"an event names at most {MAX_DATASETS} {side}", f"/{side}")
    for path, entity, key, facet in _facets(event):
        found = _first(_facet_validator(entity, key).iter_errors(facet))
        if found is not None:
            raise _refuse(found, path)
    return kind
