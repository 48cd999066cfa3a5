"""Render a plan (app.repo.compiled.plan) into one SQL statement that builds the JSON answer.

Artifact objects and their fields are here; the roots (lookups, pages, lineage, compare) in
app.repo.compiled.roots. Every value the client chose is a parameter or a quoted literal;
the SQL text itself comes from the read model's declarations and the rules it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app import reach
from app.readmodel.fields import (
    KIND_OF,
    AliasMoves,
    AllLinks,
    Column,
    Link,
    SameContent,
    Versions,
    source_kind,
)
from app.repo import metric_declarations
from app.repo.compiled import finish, plan

MAX_PAIRS = 50  # json_build_object takes at most 100 arguments
MAX_ANSWER_BYTES = 8 * 1024 * 1024


def _incoming(lk: str, a: str, link: Link) -> str:
    """Links ``lk`` reaching row ``a`` from versions of the kind the field lists."""
    return f"{reach.sql(lk, a)} and {lk}.source_kind = '{source_kind(link)}'"


class TooWide(Exception):
    """An object with more fields than one json_build_object takes: the resolvers answer."""


class Renderer:
    """The statement being built: its parameters and table aliases."""

    def __init__(self) -> None:
        self.params: list[Any] = []
        # Conditions the answer needs; when one is false the statement yields NULL and the
        # resolvers answer instead (for example with the error an unknown id deserves).
        self.guards: list[str] = []
        # Parts the statement fetches inputs for, finished by a rule in Python.
        self.finishers: list[finish.Finisher | finish.Cursors] = []
        self.root_key = ""
        self._aliases = 0

    def param(self, value: Any, cast: str) -> str:
        self.params.append(value)
        return f"${len(self.params)}::{cast}"

    def alias(self) -> str:
        self._aliases += 1
        return f"x{self._aliases}"

    def build(self, pairs: Sequence[tuple[str, str]]) -> str:
        if not pairs:
            raise TooWide("empty selection")
        if len(pairs) > MAX_PAIRS:
            raise TooWide("too many fields for one object")
        return "json_build_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"

    def statement(self, answer: str) -> str:
        """The whole statement around the root object ``answer``."""
        text = f"{answer}::text"
        if self.guards:
            text = f"case when {' and '.join(self.guards)} then {text} end"
        # A bigger answer stays in the database: the resolvers, which stop at the response
        # budget, answer instead, so no compiled answer can flood this process's memory.
        # OFFSET 0 keeps the planner from pulling the answer up into both uses of t, which
        # would build it twice.
        return (
            f"select case when octet_length(t) <= {MAX_ANSWER_BYTES} then t end "
            f"from (select {text} as t offset 0) answer"
        )

    # -- artifacts ---------------------------------------------------------------------------

    def obj(self, a: str, obj: plan.Obj) -> str:
        """The JSON object of artifact row ``a``, for whichever type its kind is."""
        branches = [(t, self.build(self.fields(a, fields))) for t, fields in obj.branches]
        if len(branches) == 1:
            return branches[0][1]
        cases = " ".join(f"when '{KIND_OF[t]}' then {expr}" for t, expr in branches)
        return f"(case {a}.kind {cases} end)"

    def fields(self, a: str, fields: plan.Fields) -> list[tuple[str, str]]:
        return [(key, self.value(a, value)) for key, value in fields]

    def value(self, a: str, value: plan.Value) -> str:
        if isinstance(value, plan.Const):
            return _text(value.value)
        if isinstance(value, Column):
            return value.sql.format(a=a)
        if isinstance(value, plan.Counted):
            return self.count(a, value.of)
        if isinstance(value, plan.Listed) and isinstance(value.field, Link):
            return self.reached(a, value.field, value.page, value.obj)
        if isinstance(value, plan.Listed) and isinstance(value.field, Versions):
            v = self.alias()
            assert value.page is not None
            return (
                f"(select coalesce(json_agg({self.obj(v, value.obj)} order by "
                f"{v}.version_number), '[]'::json) from (select * from artifacts {v} where "
                f"{v}.lineage_id = {a}.lineage_id order by {v}.version_number "
                f"{self.page(value.page)}) {v})"
            )
        if isinstance(value, plan.Listed) and isinstance(value.field, SameContent):
            v = self.alias()
            assert value.page is not None
            return (
                f"(select coalesce(json_agg({self.obj(v, value.obj)} order by {v}.id), "
                f"'[]'::json) from (select * from artifacts {v} where "
                f"{v}.content_digest = {a}.content_digest and {v}.kind = {a}.kind and "
                f"{v}.id <> {a}.id order by {v}.id {self.page(value.page)}) {v})"
            )
        if isinstance(value, plan.Listed):
            v = self.alias()
            return (
                f"(select {self.obj(v, value.obj)} from artifacts {v} "
                f"where {v}.lineage_id = {a}.lineage_id and {v}.is_latest)"
            )
        if isinstance(value, plan.Shaped):
            return self.shaped(a, value)
        raise AssertionError(value)

    def page(self, page: plan.Page) -> str:
        """LIMIT and OFFSET, written in: the planner then knows how few rows it needs, and a
        statement's values stay few (each costs a little to send, on every request). They are
        integers the plan checked, never text."""
        limit, offset = int(page.limit), int(page.offset)
        return f"limit {limit}" + (f" offset {offset}" if offset else "")

    def count(self, a: str, of: Link | Versions | SameContent | AllLinks | AliasMoves) -> str:
        if isinstance(of, Versions):
            return f"(select l.latest_version from lineages l where l.id = {a}.lineage_id)"
        lk = self.alias()
        if isinstance(of, SameContent):
            return (
                f"(select count(*) from artifacts {lk} where {lk}.content_digest = "
                f"{a}.content_digest and {lk}.kind = {a}.kind and {lk}.id <> {a}.id)"
            )
        if isinstance(of, AliasMoves):
            return f"(select count(*) from alias_moves {lk} where {lk}.lineage_id = {a}.lineage_id)"
        if isinstance(of, AllLinks):
            return f"(select count(*) from links {lk} where {lk}.source_id = {a}.id)"
        where = f"{lk}.source_id = {a}.id" if of.outgoing else _incoming(lk, a, of)
        return f"(select count(*) from links {lk} where {where} and {lk}.type = '{of.type}')"

    def reached(self, a: str, link: Link, page: plan.Page | None, obj: plan.Obj) -> str:
        """The versions a link field reaches. The page is cut from the links, in the order of
        their indexes (outgoing by target lineage, incoming by source), before any artifact
        row is read: the rows joined after it are only the page's."""
        lk, t = self.alias(), self.alias()
        body = self.obj(t, obj)
        if link.outgoing:
            links = f"{lk}.source_id = {a}.id"
            joined, order = reach.sql(lk, t), f"{lk}.target_lineage_id"
        else:
            links = _incoming(lk, a, link)
            joined, order = f"{t}.id = {lk}.source_id", f"{lk}.source_id"
        cut = self.page(page) if page is not None else "limit 1"
        page_of_links = (
            f"(select * from links {lk} where {links} and {lk}.type = '{link.type}' "
            f"order by {order} {cut}) {lk}"
        )
        if page is None:
            return f"(select {body} from {page_of_links} join artifacts {t} on {joined})"
        return (
            f"(select coalesce(json_agg({body} order by {order}), '[]'::json) "
            f"from {page_of_links} join artifacts {t} on {joined})"
        )

    # -- value shapes ------------------------------------------------------------------------

    def shaped(self, a: str, value: plan.Shaped) -> str:
        if value.name == "provenance":
            return self.provenance(a, value)
        if value.name == "metrics":
            return self.metrics(a, value)
        if value.name == "inputs":
            return self.links(a, value, "uses")
        if value.name == "links":
            return self.links(a, value, None)
        if value.name == "aliasHistory":
            return self.alias_moves(a, value)
        if value.name == "tags":
            return self.tags(a, value)
        raise AssertionError(value.name)

    def alias_moves(self, a: str, shape: plan.Shaped) -> str:
        """A page of the moves of the row's lineage's aliases, newest first."""
        m = self.alias()
        fields = {
            "at": f"{m}.at",
            "actor": f"{m}.actor",
            "alias": f"{m}.alias",
            "fromVersionId": f"{m}.from_version_id",
            "toVersionId": f"{m}.to_version_id",
            "reason": f"{m}.reason",
        }
        assert shape.page is not None
        return (
            f"(select coalesce(json_agg({self.build(self.parts(shape, fields))} order by "
            f"{m}.id desc), '[]'::json) from (select * from alias_moves {m} where "
            f"{m}.lineage_id = {a}.lineage_id order by {m}.id desc {self.page(shape.page)}) {m})"
        )

    def parts(
        self, shape: plan.Shaped, leaves: dict[str, str], nested: Any = None
    ) -> list[tuple[str, str]]:
        """The SQL of each part: leaves from ``leaves``, the others through ``nested``."""
        out = []
        for key, part in shape.fields:
            if isinstance(part, plan.Const):
                out.append((key, _text(part.value)))
            elif isinstance(part, str):
                out.append((key, leaves[part]))
            else:
                out.append((key, nested(part)))
        return out

    def provenance(self, a: str, shape: plan.Shaped) -> str:
        def warnings(inner: Any) -> str:
            w = self.alias()
            fields = {"code": f"{w}.v ->> 'code'", "message": f"{w}.v ->> 'message'"}
            return (
                f"(select coalesce(json_agg({self.build(self.parts(inner, fields))} order by "
                f"{w}.n), '[]'::json) from jsonb_array_elements({a}.provenance_warnings) "
                f"with ordinality {w}(v, n))"
            )

        complete = {"complete": f"(jsonb_array_length({a}.provenance_warnings) = 0)"}
        return self.build(self.parts(shape, complete, warnings))

    def metrics(self, a: str, shape: plan.Shaped) -> str:
        m = self.alias()
        fields = {
            "name": f"{m}.key",
            "value": f"({m}.value)::float8",
            # The registry's direction, read in the statement: never one kept by a process.
            "better": metric_declarations.direction_sql(f"{m}.key"),
        } | {
            bound: f"({a}.metric_intervals -> {m}.key -> '{bound}')::float8"
            for bound in ("stderr", "lower", "upper")
        }
        return (
            f"(select coalesce(json_agg({self.build(self.parts(shape, fields))} order by "
            f"{m}.key collate \"C\"), '[]'::json) from jsonb_each({a}.evaluation_metrics) {m})"
        )

    def tags(self, a: str, shape: plan.Shaped) -> str:
        t = self.alias()
        fields = {"key": f"{t}.key", "value": f"{t}.value"}
        return (
            f"(select coalesce(json_agg({self.build(self.parts(shape, fields))} order by "
            f"{t}.key collate \"C\"), '[]'::json) from tags {t} where {t}.artifact_id = {a}.id)"
        )

    def links(self, a: str, shape: plan.Shaped, link_type: str | None) -> str:
        """A page of the row's links (of one type, or all of them) with their pin state, in
        the order of their index: by type, then target lineage."""
        lk, t = self.alias(), self.alias()
        fields = {
            "type": f"upper({lk}.type)",
            "pinned": f"({lk}.target_version_id is not null)",
            "pinnedVersion": f"(case when {lk}.target_version_id is not null "
            f"then {t}.version_number end)",
        }
        assert shape.page is not None
        body = self.build(self.parts(shape, fields, lambda obj: self.obj(t, obj)))
        typed = f" and {lk}.type = '{link_type}'" if link_type else ""
        # As for links (reached): the page is cut from the links, then joined.
        return (
            f"(select coalesce(json_agg({body} order by {lk}.type, {lk}.target_lineage_id), "
            f"'[]'::json) from (select * from links {lk} where {lk}.source_id = {a}.id{typed} "
            f"order by {lk}.type, {lk}.target_lineage_id {self.page(shape.page)}) {lk} "
            f"join artifacts {t} on {reach.sql(lk, t)})"
        )


def _text(value: str) -> str:
    """A name known to the schema (a type name) as an SQL literal; never client text."""
    assert value.isidentifier(), value
    return f"'{value}'"
