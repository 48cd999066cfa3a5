"""Pages of artifacts (models, datasets, analyses, hypotheses), compiled into the statement."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import FieldNode

from app import validation
from app.repo.catalog import title_search
from app.repo.compiled import sql

if TYPE_CHECKING:
    from app.repo.compiled.query import Compiler


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _search(text: str) -> str:
    # The condition is a str.format template of the table alias.
    return title_search("{a}.title", text, template=True)


def model_page(c: Compiler, node: FieldNode) -> str:
    args = c.args("Query", node)
    f, s = args.get("filter"), args.get("sort")
    if f is not None and (_get(f, "trainedOn") or _get(f, "testsHypothesis")):
        raise sql.Unsupported("filters that resolve ids")
    limit, offset = args["limit"], args["offset"]
    search = _get(f, "search") if f is not None else None
    if not 1 <= limit <= validation.MAX_PAGE or not 0 <= offset <= validation.MAX_OFFSET:
        raise sql.Unsupported("paging out of range")
    if search is not None and (len(search) > validation.MAX_SEARCH or "\x00" in search):
        raise sql.Unsupported("search out of range")
    family = sql.value_of(_get(f, "family")) if f is not None else None
    latest_only = bool(_get(f, "latestOnly")) if f is not None else False
    column = sql.SORT_COLUMNS[sql.value_of(_get(s, "field")) if s is not None else "created_at"]
    direction = sql.value_of(_get(s, "direction")) if s is not None else "desc"
    if direction not in ("asc", "desc"):
        raise sql.Unsupported("direction")
    bound: list[str] = []

    def where() -> str:
        # Bound on first use: a parameter the statement never mentions has no type, and
        # PostgreSQL refuses the statement (a page of only its total, or its __typename).
        if not bound:
            condition = "{a}.kind = 'model'"
            if family is not None:
                condition += f" and {{a}}.family = {c.param(family, 'text')}"
            if latest_only:
                condition += " and {a}.is_latest"
            if search:
                condition += " and " + _search(search)
            bound.append(condition)
        return bound[0]

    order = f"{{a}}.{column} {direction}, {{a}}.id {direction}"

    def counted() -> str:
        sql_total = "(select coalesce(sum(n), 0) from model_counts where latest_only = "
        sql_total += c.param(latest_only, "bool")
        if family is not None:
            sql_total += f" and family = {c.param(family, 'text')}"
        return sql_total + ")"

    return page(c, node, "Model", where, order, limit, offset, None if search else counted)


def kind_page(c: Compiler, node: FieldNode, type_name: str) -> str:
    args = c.args("Query", node)
    limit, offset, search = args["limit"], args["offset"], args.get("search")
    if not 1 <= limit <= validation.MAX_PAGE or not 0 <= offset <= validation.MAX_OFFSET:
        raise sql.Unsupported("paging out of range")
    if search is not None and (len(search) > validation.MAX_SEARCH or "\x00" in search):
        raise sql.Unsupported("search out of range")
    where = f"{{a}}.kind = '{sql.KIND_OF[type_name]}'"
    if args["latestOnly"]:
        where += " and {a}.is_latest"
    if search:
        where += " and " + _search(search)
    order = "{a}.created_at desc, {a}.id desc"
    return page(c, node, type_name, lambda: where, order, limit, offset)


def page(
    c: Compiler,
    node: FieldNode,
    type_name: str,
    where: Callable[[], str],
    order: str,
    limit: int,
    offset: int,
    total: Callable[[], str] | None = None,
) -> str:
    """A page type's fields; ``total`` replaces counting rows when given."""
    assert node.selection_set is not None
    page_type = f"{type_name}Page"
    pairs = []
    for key, child in c.collect(node.selection_set, page_type):
        name = child.name.value
        if name == "__typename":
            pairs.append((key, f"'{page_type}'"))
        elif name == "total" and total is not None:
            pairs.append((key, total()))
        elif name == "total":
            a = c.alias()
            pairs.append((key, f"(select count(*) from artifacts {a} where {where().format(a=a)})"))
        elif name == "items" and child.selection_set:
            a, p = c.alias(), c.alias()
            rows = (
                f"(select * from artifacts {a} where {where().format(a=a)} "
                f"order by {order.format(a=a)} "
                f"limit {c.param(limit, 'int')} offset {c.param(offset, 'int')}) {p}"
            )
            item = c.object(p, child.selection_set, (type_name,))
            pairs.append(
                (
                    key,
                    f"(select coalesce(json_agg({item} order by {order.format(a=p)}), "
                    f"'[]'::json) from {rows})",
                )
            )
        else:
            raise sql.Unsupported(name)
    return c.build(pairs)
