"""The reads: versions by id, lists with filters, sorts and cursors, compare, lineage."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast
from urllib.parse import urlencode

from model_registry_client import documents as doc
from model_registry_client.connection import Connection
from model_registry_client.inputs import Sort, as_sort
from model_registry_client.results import (
    Analysis,
    AnalysisPage,
    Artifact,
    Dataset,
    DatasetPage,
    Hypothesis,
    HypothesisPage,
    LineageAlias,
    LineageGraph,
    LineageRun,
    Model,
    ModelComparison,
    ModelPage,
    RestModelPage,
)

PAGE_SIZE = 100  # the registry's largest page


class Reads(Connection):
    """Methods that only read; retried like writes."""

    # --- reading -------------------------------------------------------------------------

    def model(self, id: str) -> Model | None:
        """A model version by id, lineage id (its latest) or ``lineage@alias``."""
        return cast(Model | None, self._read(doc.MODEL, {"id": id}, "model"))

    def dataset(self, id: str) -> Dataset | None:
        """A dataset version by id, lineage id or ``lineage@alias``."""
        return cast(Dataset | None, self._read(doc.DATASET, {"id": id}, "dataset"))

    def analysis(self, id: str) -> Analysis | None:
        """An analysis version by id, lineage id or ``lineage@alias``."""
        return cast(Analysis | None, self._read(doc.ANALYSIS, {"id": id}, "analysis"))

    def hypothesis(self, id: str) -> Hypothesis | None:
        """A hypothesis version by id, lineage id or ``lineage@alias``."""
        return cast(Hypothesis | None, self._read(doc.HYPOTHESIS, {"id": id}, "hypothesis"))

    def artifact(self, id: str) -> Artifact | None:
        """Any artifact; its ``__typename`` says which kind, with that kind's fields."""
        return cast(Artifact | None, self._read(doc.ARTIFACT, {"id": id}, "artifact"))

    def versions(self, id: str, *, page_size: int = PAGE_SIZE) -> list[Artifact]:
        """Every version of the lineage ``id`` names, oldest first; [] when there is none."""
        found: list[Artifact] = []
        after: str | None = None
        while True:
            variables = {"id": id, "limit": page_size, "after": after}
            lineage = self._read(doc.VERSIONS, variables, "artifact")
            if lineage is None:
                return found
            found += lineage["versions"]
            after = lineage["versionsNextCursor"]
            if after is None:
                return found

    def aliases(self, lineage_id: str) -> list[LineageAlias]:
        """A lineage's aliases, the versions they hold and their gates."""
        return cast(
            list[LineageAlias], self._read(doc.ALIASES, {"lineageId": lineage_id}, "aliases")
        )

    def list_models(
        self,
        filter: Mapping[str, Any] | None = None,
        sort: Sort | str | None = None,
        *,
        limit: int = 20,
        after: str | None = None,
    ) -> ModelPage:
        """A page of models: a ``ModelFilter`` as a dict, a sort (``"metric:rmse"``), a cursor."""
        parsed = as_sort(sort)
        variables = {
            "filter": filter,
            "sort": parsed.to_graphql() if parsed else None,
            "limit": limit,
            "after": after,
        }
        return cast(ModelPage, self._read(doc.MODELS, variables, "models"))

    def iter_models(
        self,
        filter: Mapping[str, Any] | None = None,
        sort: Sort | str | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Model]:
        """Every model the filter matches, page by page along ``nextCursor``."""
        return _follow(lambda after: self.list_models(filter, sort, limit=page_size, after=after))

    def search_models(
        self,
        filter: str | None = None,
        sort: Sort | str | None = None,
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> RestModelPage:
        """A page of ``GET /api/models``: the text filter language, REST's snake_case items."""
        params: dict[str, str | int] = {"limit": limit}
        if filter is not None:
            params["filter"] = filter
        parsed = as_sort(sort)
        if parsed is not None:
            params.update(parsed.rest_params())
        if cursor is not None:
            params["cursor"] = cursor
        return cast(RestModelPage, self._transport.get("/api/models", params))

    def iter_search_models(
        self,
        filter: str | None = None,
        sort: Sort | str | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every model a text filter matches, along ``next_cursor``."""
        cursor: str | None = None
        while True:
            page = self.search_models(filter, sort, limit=page_size, cursor=cursor)
            yield from page["models"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def list_datasets(
        self, filter: Mapping[str, Any] | None = None, *, limit: int = 20, after: str | None = None
    ) -> DatasetPage:
        """A page of datasets by a ``DatasetFilter``."""
        variables = {"filter": filter, "limit": limit, "after": after}
        return cast(DatasetPage, self._read(doc.DATASETS, variables, "datasets"))

    def list_analyses(
        self, filter: Mapping[str, Any] | None = None, *, limit: int = 20, after: str | None = None
    ) -> AnalysisPage:
        """A page of analyses by an ``AnalysisFilter``."""
        variables = {"filter": filter, "limit": limit, "after": after}
        return cast(AnalysisPage, self._read(doc.ANALYSES, variables, "analyses"))

    def list_hypotheses(
        self, filter: Mapping[str, Any] | None = None, *, limit: int = 20, after: str | None = None
    ) -> HypothesisPage:
        """A page of hypotheses by a ``HypothesisFilter``."""
        variables = {"filter": filter, "limit": limit, "after": after}
        return cast(HypothesisPage, self._read(doc.HYPOTHESES, variables, "hypotheses"))

    def iter_datasets(
        self, filter: Mapping[str, Any] | None = None, *, page_size: int = PAGE_SIZE
    ) -> Iterator[Dataset]:
        """Every dataset the filter matches, page by page."""
        return _follow(lambda after: self.list_datasets(filter, limit=page_size, after=after))

    def compare_models(self, ids: Sequence[str], baseline: str | None = None) -> ModelComparison:
        """Compare 2 to 10 models: metrics with verdicts, diffs, training data, provenance."""
        variables = {"ids": list(ids), "baseline": baseline}
        return cast(ModelComparison, self._read(doc.COMPARE_MODELS, variables, "compareModels"))

    def compare_url(self, ids: Sequence[str], baseline: str | None = None) -> str:
        """The compare page of these models."""
        query = {"ids": ",".join(ids), **({"baseline": baseline} if baseline else {})}
        return f"{self.url}/models/compare?{urlencode(query, safe=',@')}"

    def lineage(
        self, id: str, *, direction: str = "upstream", max_depth: int = 3, limit: int = 100
    ) -> LineageGraph | None:
        """The provenance graph around a version: ``upstream`` dependencies or ``downstream``."""
        variables = {
            "id": id,
            "direction": direction.upper(),
            "maxDepth": max_depth,
            "limit": limit,
        }
        return cast(LineageGraph | None, self._read(doc.LINEAGE, variables, "lineage"))

    def lineage_run(self, run_id: str) -> LineageRun | None:
        """An OpenLineage run sent to ``POST /api/v1/lineage``: its state, its events, and the
        analysis version it became (with what that version produced) once it completed."""
        return cast(LineageRun | None, self._read(doc.LINEAGE_RUN, {"runId": run_id}, "lineageRun"))


def _follow(fetch: Callable[[str | None], Mapping[str, Any]]) -> Iterator[Any]:
    """The items of every page, each asked for after the previous page's ``nextCursor``."""
    after: str | None = None
    while True:
        page = fetch(after)
        yield from page["items"]
        after = page["nextCursor"]
        if not page["hasNextPage"] or after is None:
            return
