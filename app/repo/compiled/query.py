"""Compile a validated query into one SQL statement that builds the whole JSON answer.

Covers the read paths clients use most (lookups, pages of artifacts and the relationship
fields below them). Anything else raises Unsupported, and the request goes through the
regular resolvers, which stay the reference for every answer this produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values

from app import validation
from app.repo.compiled import sql

POSSIBLE_ID = sql.POSSIBLE_ID
MAX_PAIRS = 50  # json_build_object takes at most 100 arguments
MAX_ANSWER_BYTES = 8 * 1024 * 1024


Unsupported = sql.Unsupported


class Compiler:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.params: list[Any] = []
        # Conditions the answer needs; when one is false the statement yields NULL and the
        # resolvers answer instead (for example with the error an unknown id deserves).
        self.guards: list[str] = []
        self._aliases = 0
        self.visited = 0  # selection nodes looked at, which stays linear in the document

    # -- plumbing ---------------------------------------------------------------------------

    def param(self, value: Any, cast: str) -> str:
        self.params.append(value)
        return f"${len(self.params)}::{cast}"

    def alias(self) -> str:
        self._aliases += 1
        return f"x{self._aliases}"

    def args(self, type_name: str, node: FieldNode) -> dict[str, Any]:
        parent = self.schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        return get_argument_values(parent.fields[node.name.value], node, self.variables)

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
                if self._applies(
                    sel.type_condition.name.value if sel.type_condition else None, type_name
                ):
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
            condition == "Artifact" and type_name in sql.ALL_TYPES
        )

    def build(self, pairs: Sequence[tuple[str, str]]) -> str:
        if not pairs:
            raise Unsupported("empty selection")
        if len(pairs) > MAX_PAIRS:
            raise Unsupported("too many fields for one object")
        return "json_build_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"

    # -- the root -----------------------------------------------------------------------------

    def root(self, selections: SelectionSetNode) -> str:
        pairs = [(key, self.root_field(node)) for key, node in self.collect(selections, "Query")]
        answer = f"{self.build(pairs)}::text"
        if self.guards:
            answer = f"case when {' and '.join(self.guards)} then {answer} end"
        # A bigger answer stays in the database: the resolvers, which stop at the response
        # budget, answer instead, so no compiled answer can flood this process's memory.
        return (
            f"select case when octet_length(t) <= {MAX_ANSWER_BYTES} then t end "
            f"from (select {answer} as t) answer"
        )

    def root_field(self, node: FieldNode) -> str:
        name = node.name.value
        if name == "__typename":
            return "'Query'"
        lookups = {
            "model": ("Model",),
            "dataset": ("Dataset",),
            "analysis": ("Analysis",),
            "hypothesis": ("Hypothesis",),
            "artifact": sql.ALL_TYPES,
        }
        if name in lookups:
            return self.lookup(node, lookups[name], kind_filter=name != "artifact")
        if name == "models":
            from app.repo.compiled.pages import model_page

            return model_page(self, node)
        if name == "lineage":
            from app.repo.compiled.lineage import lineage_statement

            return lineage_statement(self, node)
        if name == "compareModels":
            from app.repo.compiled.compare import compare_statement

            return compare_statement(self, node)
        pages = {"datasets": "Dataset", "analyses": "Analysis", "hypotheses": "Hypothesis"}
        if name in pages:
            from app.repo.compiled.pages import kind_page

            return kind_page(self, node, pages[name])
        raise Unsupported(name)

    def lookup(self, node: FieldNode, types: tuple[str, ...], *, kind_filter: bool) -> str:
        ref = str(self.args("Query", node)["id"])
        if not POSSIBLE_ID.fullmatch(ref) or not node.selection_set:
            return "null"
        a, p = self.alias(), self.param(ref, "text")
        kind = f" and {a}.kind = '{sql.KIND_OF[types[0]]}'" if kind_filter else ""
        body = self.object(a, node.selection_set, types)
        return (
            f"(select {body} from artifacts {a} where ({a}.id = {p} "
            f"or ({a}.lineage_id = {p} and {a}.is_latest)){kind})"
        )

    # -- objects ----------------------------------------------------------------------------

    def object(self, a: str, selections: SelectionSetNode, types: Sequence[str]) -> str:
        """The JSON object of row ``a`` for whichever of ``types`` its kind is."""
        branches = [(t, self.build(self.fields(a, t, selections))) for t in types]
        if len(branches) == 1:
            return branches[0][1]
        cases = " ".join(f"when '{sql.KIND_OF[t]}' then {expr}" for t, expr in branches)
        return f"(case {a}.kind {cases} end)"

    def fields(self, a: str, type_name: str, selections: SelectionSetNode) -> list[tuple[str, str]]:
        return [
            (key, self.field(a, type_name, node))
            for key, node in self.collect(selections, type_name)
        ]

    def field(self, a: str, type_name: str, node: FieldNode) -> str:
        name = node.name.value
        if name == "__typename":
            return f"'{type_name}'"
        scalar = sql.SCALARS[type_name].get(name)
        if scalar is not None:
            return scalar.format(a=a)
        sub = node.selection_set
        if sub is None:
            return self.count(a, type_name, name)
        if (type_name, name) in sql.OUTGOING:
            link_type, targets, single = sql.OUTGOING[(type_name, name)]
            page = None if single else self.page(type_name, node)
            return self.outgoing(a, link_type, sub, targets, page)
        if (type_name, name) in sql.INCOMING:
            link_type, sources = sql.INCOMING[(type_name, name)]
            return self.incoming(a, link_type, sub, sources, self.page(type_name, node))
        if name == "versions":
            v = self.alias()
            body = self.object(v, sub, (type_name,))
            limit, offset = self.page(type_name, node)
            return (
                f"(select coalesce(json_agg({body} order by {v}.version_number), '[]'::json) "
                f"from (select * from artifacts {v} where {v}.lineage_id = {a}.lineage_id "
                f"order by {v}.version_number limit {limit} offset {offset}) {v})"
            )
        if name == "latest":
            v = self.alias()
            return (
                f"(select {self.object(v, sub, (type_name,))} from artifacts {v} "
                f"where {v}.lineage_id = {a}.lineage_id and {v}.is_latest)"
            )
        if type_name == "Model" and name == "provenance":
            return self.provenance(a, sub)
        if type_name == "Model" and name == "evaluationMetrics":
            return self.metrics(a, sub)
        if type_name == "Analysis" and name == "inputs":
            return self.inputs(a, sub, self.page(type_name, node))
        raise Unsupported(name)

    def page(self, type_name: str, node: FieldNode) -> tuple[str, str]:
        """A nested list's limit and offset as parameters; out of range, the resolvers say so."""
        args = self.args(type_name, node)
        limit, offset = args["limit"], args["offset"]
        if not 1 <= limit <= validation.MAX_NESTED or not 0 <= offset <= validation.MAX_OFFSET:
            raise Unsupported("paging out of range")
        return self.param(limit, "int"), self.param(offset, "int")

    def count(self, a: str, type_name: str, name: str) -> str:
        """A list's sibling count field (trainedOnCount, versionsCount, ...)."""
        listed = name.removesuffix("Count")
        if name == "versionsCount":
            return f"(select l.latest_version from lineages l where l.id = {a}.lineage_id)"
        lk = self.alias()
        if (type_name, listed) in sql.OUTGOING or (type_name, listed) == ("Analysis", "inputs"):
            link_type = "uses" if listed == "inputs" else sql.OUTGOING[(type_name, listed)][0]
            where = f"{lk}.source_id = {a}.id"
        elif (type_name, listed) in sql.INCOMING:
            link_type = sql.INCOMING[(type_name, listed)][0]
            where = sql.REACHING.format(l=lk, a=a)
        else:
            raise Unsupported(name)
        return f"(select count(*) from links {lk} where {where} and {lk}.type = '{link_type}')"

    def outgoing(
        self,
        a: str,
        link_type: str,
        sub: SelectionSetNode,
        targets: Sequence[str],
        page: tuple[str, str] | None,
    ) -> str:
        lk, t = self.alias(), self.alias()
        body = self.object(t, sub, targets)
        source = (
            f"from links {lk} join artifacts {t} on {sql.REACH.format(t=t, l=lk)} "
            f"where {lk}.source_id = {a}.id and {lk}.type = '{link_type}'"
        )
        if page is None:
            return f"(select {body} {source} order by {lk}.target_lineage_id limit 1)"
        return (
            f"(select coalesce(json_agg({body} order by {t}.lineage_id), '[]'::json) "
            f"from (select {t}.* {source} order by {t}.lineage_id "
            f"limit {page[0]} offset {page[1]}) {t})"
        )

    def incoming(
        self,
        a: str,
        link_type: str,
        sub: SelectionSetNode,
        sources: Sequence[str],
        page: tuple[str, str],
    ) -> str:
        lk, s = self.alias(), self.alias()
        body = self.object(s, sub, sources)
        return (
            f"(select coalesce(json_agg({body} order by {s}.id), '[]'::json) "
            f"from (select {s}.* from links {lk} join artifacts {s} on {s}.id = {lk}.source_id "
            f"where {sql.REACHING.format(l=lk, a=a)} and {lk}.type = '{link_type}' "
            f"order by {s}.id limit {page[0]} offset {page[1]}) {s})"
        )

    def inputs(self, a: str, sub: SelectionSetNode, page: tuple[str, str]) -> str:
        lk, t = self.alias(), self.alias()
        pairs = []
        for key, node in self.collect(sub, "AnalysisInput"):
            name = node.name.value
            if name == "__typename":
                pairs.append((key, "'AnalysisInput'"))
            elif name == "pinned":
                pairs.append((key, f"({t}.pinned_to is not null)"))
            elif name == "pinnedVersion":
                pairs.append(
                    (key, f"(case when {t}.pinned_to is not null then {t}.version_number end)")
                )
            elif name == "artifact" and node.selection_set:
                pairs.append((key, self.object(t, node.selection_set, sql.ALL_TYPES)))
            else:
                raise Unsupported(name)
        return (
            f"(select coalesce(json_agg({self.build(pairs)} order by {t}.lineage_id), "
            f"'[]'::json) from (select {lk}.target_version_id as pinned_to, {t}.* "
            f"from links {lk} join artifacts {t} on {sql.REACH.format(t=t, l=lk)} "
            f"where {lk}.source_id = {a}.id and {lk}.type = 'uses' order by {t}.lineage_id "
            f"limit {page[0]} offset {page[1]}) {t})"
        )

    def provenance(self, a: str, sub: SelectionSetNode) -> str:
        pairs = []
        for key, node in self.collect(sub, "Provenance"):
            name = node.name.value
            if name == "__typename":
                pairs.append((key, "'Provenance'"))
            elif name == "complete":
                pairs.append((key, f"(jsonb_array_length({a}.provenance_warnings) = 0)"))
            elif name == "warnings" and node.selection_set:
                w = self.alias()
                inner = []
                for wkey, wnode in self.collect(node.selection_set, "ProvenanceWarning"):
                    field = {
                        "code": f"{w}.v ->> 'code'",
                        "message": f"{w}.v ->> 'message'",
                        "__typename": "'ProvenanceWarning'",
                    }.get(wnode.name.value)
                    if field is None:
                        raise Unsupported(wnode.name.value)
                    inner.append((wkey, field))
                pairs.append(
                    (
                        key,
                        f"(select coalesce(json_agg({self.build(inner)} order by {w}.n), "
                        f"'[]'::json) from jsonb_array_elements({a}.provenance_warnings) "
                        f"with ordinality {w}(v, n))",
                    )
                )
            else:
                raise Unsupported(name)
        return self.build(pairs)

    def metrics(self, a: str, sub: SelectionSetNode) -> str:
        m = self.alias()
        pairs = []
        for key, node in self.collect(sub, "Metric"):
            field = {
                "name": f"{m}.key",
                "value": f"({m}.value)::float8",
                "better": sql.METRIC_DIRECTION.format(a=a, k=f"{m}.key"),
                "__typename": "'Metric'",
            }.get(node.name.value)
            if field is None:
                raise Unsupported(node.name.value)
            pairs.append((key, field))
        return (
            f'(select coalesce(json_agg({self.build(pairs)} order by {m}.key collate "C"), '
            f"'[]'::json) from jsonb_each({a}.evaluation_metrics) {m})"
        )
