"""Turn a validated query into a plain description of one statement (app.repo.compiled.plan).

This is the GraphQL half of the fast path: field collection as the spec defines it (each
fragment collected once per selection set), argument values, and the read model's
declarations. It fails closed: a field the declarations do not name, an argument a
declaration does not take, a directive, a filter key not declared ``compiled``, a value out
of range: Unsupported, and the resolvers answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values

from app import ids, paging, validation
from app.readmodel import fields as decl
from app.readmodel.filters import MODEL_FILTERS
from app.repo.compiled import plan
from app.schema.plan_lists import (
    Unsupported,
    _get,
    _items,
    _value,
    alias_filter,
    filter_keys,
    kind_list,
    model_list,
    tag_filter,
)
from app.service.compare import MAX_MODELS, MIN_MODELS

PAGES = {
    "models": "Model",
    "datasets": "Dataset",
    "analyses": "Analysis",
    "hypotheses": "Hypothesis",
}
LOOKUPS = {
    "model": "Model",
    "dataset": "Dataset",
    "analysis": "Analysis",
    "hypothesis": "Hypothesis",
}
# The parts of each value shape, by GraphQL type: leaves by name, composites by their type.
SHAPES: dict[str, dict[str, str | None]] = {
    "Provenance": {"complete": None, "warnings": "ProvenanceWarning"},
    "ProvenanceWarning": {"code": None, "message": None},
    "Tag": {"key": None, "value": None},
    "Metric": {"name": None, "value": None, "better": None, "stderr": None, "lower": None,
               "upper": None},
    "AnalysisInput": {"pinned": None, "pinnedVersion": None, "artifact": "Artifact"},
    "ModelLink": {"type": None, "pinned": None, "pinnedVersion": None, "artifact": "Artifact"},
    "AliasMove": {"at": None, "actor": None, "alias": None, "fromVersionId": None,
                  "toVersionId": None, "reason": None},
    "LineageGraph": {"root": "Artifact", "truncated": None, "nodes": "LineageNode",
                     "edges": "LineageEdge"},
    "LineageNode": {"distance": None, "artifact": "Artifact"},
    "LineageEdge": {"sourceId": None, "targetId": None, "type": None, "pinned": None,
                    "pinnedVersion": None},
    "ModelComparison": {"models": "Model", "metrics": "MetricComparison",
                        "baselineModelId": None},
    "MetricComparison": {"name": None, "better": None, "verdict": None, "bestModelIds": None,
                         "leaderModelIds": None, "overlappingModelIds": None,
                         "reportedCount": None, "cells": "MetricCell"},
    "MetricCell": {"modelId": None, "value": None, "stderr": None, "lower": None, "upper": None,
                   "delta": None, "relativeDelta": None, "best": None, "withinUncertainty": None,
                   "capped": None, "baseline": None},
}  # fmt: skip
SHAPE_OF = {
    "provenance": "Provenance",
    "metrics": "Metric",
    "inputs": "AnalysisInput",
    "links": "ModelLink",
    "aliasHistory": "AliasMove",
    "tags": "Tag",
}


class Planner:
    """Plans one operation; ``visited`` counts the selection nodes it looked at."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.visited = 0

    # -- GraphQL mechanics -------------------------------------------------------------------

    def _field(self, type_name: str, node: FieldNode) -> GraphQLField:
        parent = self.schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        field: GraphQLField = parent.fields[node.name.value]
        return field

    def args(self, type_name: str, node: FieldNode) -> dict[str, Any]:
        return get_argument_values(self._field(type_name, node), node, self.variables)

    def takes(self, type_name: str, node: FieldNode, known: frozenset[str]) -> None:
        """Fail closed on any argument the schema gives this field that the plan ignores."""
        if set(self._field(type_name, node).args) != known:
            raise Unsupported(f"arguments of {type_name}.{node.name.value}")

    def collect(self, selections: SelectionSetNode, type_name: str) -> list[tuple[str, FieldNode]]:
        """GraphQL field collection for one runtime type, merging fields by response key."""
        merged: dict[str, list[FieldNode]] = {}
        # As the spec's CollectFields: a fragment spread twice in one selection set is
        # collected once (its fields merge anyway), which keeps the work linear.
        self._collect(selections, type_name, merged, set())
        out = []
        for key, nodes in merged.items():
            first = nodes[0]
            if len(nodes) > 1 and any(n.selection_set for n in nodes):
                combined = [s for n in nodes if n.selection_set for s in n.selection_set.selections]
                first = FieldNode(
                    alias=first.alias,
                    name=first.name,
                    arguments=first.arguments,
                    directives=first.directives,
                    selection_set=SelectionSetNode(selections=tuple(combined)),
                )
            out.append((key, first))
        return out

    def _collect(
        self,
        selections: SelectionSetNode,
        type_name: str,
        into: dict[str, list[FieldNode]],
        seen: set[str],
    ) -> None:
        for sel in selections.selections:
            self.visited += 1
            if sel.directives:
                raise Unsupported("directives")
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                into.setdefault(key, []).append(sel)
            elif isinstance(sel, InlineFragmentNode):
                condition = sel.type_condition.name.value if sel.type_condition else None
                if self._applies(condition, type_name):
                    self._collect(sel.selection_set, type_name, into, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                seen.add(name)
                if self._applies(fragment.type_condition.name.value, type_name):
                    self._collect(fragment.selection_set, type_name, into, seen)

    @staticmethod
    def _applies(condition: str | None, type_name: str) -> bool:
        return condition in (None, type_name) or (
            condition == "Artifact" and type_name in decl.ARTIFACT_TYPES
        )

    # -- artifacts ---------------------------------------------------------------------------

    def obj(self, selections: SelectionSetNode | None, types: Sequence[str]) -> plan.Obj:
        """An artifact object, for whichever of ``types`` its row turns out to be."""
        if selections is None:
            raise Unsupported("no selection")
        return plan.Obj(tuple((t, self.fields(t, selections)) for t in types))

    def fields(self, type_name: str, selections: SelectionSetNode) -> plan.Fields:
        return tuple(
            (key, self.value(type_name, node)) for key, node in self.collect(selections, type_name)
        )

    def value(self, type_name: str, node: FieldNode) -> plan.Value:
        name = node.name.value
        if name == "__typename":
            return plan.Const(type_name)
        field = decl.FIELDS[type_name].get(name)
        if field is None:
            raise Unsupported(f"{type_name}.{name}")
        self.takes(type_name, node, decl.arguments(field))
        sub = node.selection_set
        if isinstance(field, decl.Column):
            return field
        if isinstance(field, decl.Count):
            return plan.Counted(decl.counted(type_name, field))
        if isinstance(field, decl.NextCursor):
            raise Unsupported(f"{type_name}.{name}")  # the resolvers make nested cursors
        if isinstance(field, decl.Link):
            page = None if field.single else self.page(type_name, node)
            return plan.Listed(field, page, self.obj(sub, field.targets))
        if isinstance(field, decl.Versions | decl.SameContent):
            return plan.Listed(field, self.page(type_name, node), self.obj(sub, (type_name,)))
        if isinstance(field, decl.Latest):
            return plan.Listed(field, None, self.obj(sub, (type_name,)))
        if field.name not in SHAPE_OF:
            raise Unsupported(f"{type_name}.{name}")
        page = self.page(type_name, node) if field.paged else None
        return self.shaped(field.name, SHAPE_OF[field.name], sub, page)

    def page(self, type_name: str, node: FieldNode) -> plan.Page:
        args = self.args(type_name, node)
        if args.get("after") is not None:
            raise Unsupported("a nested cursor")  # keyset pages are the resolvers'
        if not paging.within(args["limit"], args["offset"], paging.MAX_NESTED):
            raise Unsupported("paging out of range")
        return plan.Page(args["limit"], args["offset"])

    def shaped(
        self,
        name: str,
        type_name: str,
        selections: SelectionSetNode | None,
        page: plan.Page | None = None,
    ) -> plan.Shaped:
        """A value shape: each part is a leaf's name, an artifact object or a nested shape."""
        if selections is None:
            raise Unsupported("no selection")
        parts = SHAPES[type_name]
        out: list[tuple[str, plan.Part]] = []
        for key, node in self.collect(selections, type_name):
            part = node.name.value
            if part == "__typename":
                out.append((key, plan.Const(type_name)))
                continue
            if part not in parts or self._field(type_name, node).args:
                raise Unsupported(f"{type_name}.{part}")
            inner = parts[part]
            if inner is None:
                out.append((key, part))
            elif inner == "Artifact":
                out.append((key, self.obj(node.selection_set, decl.ARTIFACT_TYPES)))
            elif inner in decl.ARTIFACT_TYPES:
                out.append((key, self.obj(node.selection_set, (inner,))))
            else:
                out.append((key, self.shaped(part, inner, node.selection_set)))
        return plan.Shaped(name, tuple(out), page)

    # -- roots -------------------------------------------------------------------------------

    def read(self, selections: SelectionSetNode) -> plan.Read:
        return plan.Read(tuple((k, self.root(n)) for k, n in self.collect(selections, "Query")))

    def root(self, node: FieldNode) -> plan.Root:
        name = node.name.value
        if name == "__typename":
            return plan.Const("Query")
        args = self.args("Query", node)
        if name in LOOKUPS or name == "artifact":
            self.takes("Query", node, frozenset({"id"}))
            types = (LOOKUPS[name],) if name in LOOKUPS else decl.ARTIFACT_TYPES
            kind = decl.KIND_OF[LOOKUPS[name]] if name in LOOKUPS else None
            return plan.Lookup(str(args["id"]), kind, self.obj(node.selection_set, types))
        if name in PAGES:
            return self.list_page(node, PAGES[name], args)
        if name == "lineage":
            return self.lineage(node, args)
        if name == "compareModels":
            return self.comparison(node, args)
        raise Unsupported(name)

    def list_page(self, node: FieldNode, type_name: str, args: dict[str, Any]) -> plan.ListPage:
        if type_name == "Model":
            self.takes("Query", node, frozenset({"filter", "sort", "limit", "offset", "after"}))
            f, s = args.get("filter") or {}, args.get("sort")
            family, latest_only = _value(_get(f, "family")), bool(_get(f, "latestOnly"))
            search, tag, alias = (
                _get(f, "search"),
                tag_filter(_get(f, "tag")),
                alias_filter(_get(f, "alias")),
            )
            if search is not None and (len(search) > validation.MAX_SEARCH or "\x00" in search):
                raise Unsupported("search out of range")
            sort = _value(_get(s, "field")) if s is not None else "created_at"
            descending = (_value(_get(s, "direction")) if s is not None else "desc") == "desc"
            unknown = filter_keys(f) - set(MODEL_FILTERS)
            if unknown:
                raise Unsupported(f"filters {sorted(unknown)}")
            listed = model_list(
                f, _get(s, "metric"), args.get("after"), args["offset"], sort, descending
            )
            if listed.metric is None:
                resolved = {k for k, v in _items(f) if v is not None} - _compiled_filters()
                if resolved:
                    raise Unsupported(f"filters {sorted(resolved)}")
            else:
                # The whole filter is one tree: the long-standing filters are in it.
                family, latest_only, search, tag, alias = None, False, None, None, None
                descending = listed.descending
        else:
            self.takes("Query", node, _KIND_ARGUMENTS)
            listed = kind_list(
                decl.KIND_OF[type_name],
                args.get("filter"),
                bool(args["latestOnly"]),
                args.get("search"),
                args.get("after"),
                args["offset"],
            )
            # The whole filter is one tree: the list's arguments are in it.
            family, sort, descending, tag, alias = None, "created_at", True, None, None
            latest_only, search = False, None
        if not paging.within(args["limit"], args["offset"]):
            raise Unsupported("paging out of range")
        page_type = f"{type_name}Page"
        fields: list[tuple[str, plan.Part]] = []
        for key, child in self.collect(_selection(node), page_type):
            part = child.name.value
            if part == "__typename":
                fields.append((key, plan.Const(page_type)))
            elif part == "total":
                fields.append((key, "total"))
            elif part == "items":
                fields.append((key, self.obj(child.selection_set, (type_name,))))
            elif part in ("cursors", "nextCursor", "hasNextPage"):
                fields.append((key, part))
            else:
                raise Unsupported(part)
        return plan.ListPage(
            kind=decl.KIND_OF[type_name],
            page_type=page_type,
            latest_only=latest_only,
            search=search or None,
            page=plan.Page(args["limit"], args["offset"]),
            fields=tuple(fields),
            family=family,
            sort=sort,
            descending=descending,
            tag=tag,
            alias=alias,
            **listed.plan(),
        )

    def lineage(self, node: FieldNode, args: dict[str, Any]) -> plan.LineageWalk:
        self.takes("Query", node, frozenset({"id", "direction", "maxDepth", "limit"}))
        depth, limit = args["maxDepth"], args["limit"]
        if not 1 <= depth <= paging.MAX_LINEAGE_DEPTH or not 1 <= limit <= paging.MAX_LINEAGE_NODES:
            raise Unsupported("bounds")
        graph = self.shaped("lineage", "LineageGraph", node.selection_set)
        downstream = _value(args["direction"]) == "downstream"
        return plan.LineageWalk(str(args["id"]), downstream, depth, limit, graph.fields)

    def comparison(self, node: FieldNode, args: dict[str, Any]) -> plan.Comparison:
        self.takes("Query", node, frozenset({"ids", "baseline"}))
        wanted = _distinct([str(i) for i in args["ids"]])
        if not MIN_MODELS <= len(wanted) <= MAX_MODELS:
            raise Unsupported("count")
        if not all(ids.possible_ref(i) for i in wanted):
            raise Unsupported("impossible id")
        shape = self.shaped("comparison", "ModelComparison", node.selection_set)
        baseline = None if args.get("baseline") is None else str(args["baseline"])
        if baseline is not None and "@" in baseline:
            raise Unsupported("a baseline named by alias")  # the resolvers look it up
        return plan.Comparison(tuple(wanted), shape.fields, baseline)


_KIND_ARGUMENTS = frozenset({"filter", "latestOnly", "search", "limit", "offset", "after"})


def _selection(node: FieldNode) -> SelectionSetNode:
    if node.selection_set is None:
        raise Unsupported("no selection")
    return node.selection_set


def _compiled_filters() -> set[str]:
    return {k for k, f in MODEL_FILTERS.items() if f.compiled}


def _distinct(refs: list[str]) -> list[str]:
    """Ids in their order, trimmed, empty ones and repeats dropped."""
    seen: dict[str, None] = {}
    for i in refs:
        seen.setdefault(i.strip(), None)
    return [i for i in seen if i]
