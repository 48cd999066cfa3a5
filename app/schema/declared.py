"""Strawberry fields made from the read model's declarations: links, versions, counts, cursors.

``@declared("Dataset", as_dataset)`` gives a type every link, versions, latest, count and
next-cursor field its declaration names, each resolved by app.schema.resolve from that
declaration. Adding such a field is adding its declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from app.readmodel import fields as decl
from app.schema import resolve
from app.schema.context import Context
from app.schema.values import LIMIT, PAGED, After, Limit, Offset, count_of, next_cursor_of

T = TypeVar("T")
ARGUMENTS: dict[str, object] = {
    "info": strawberry.Info[Context, None],
    "limit": Limit,
    "offset": Offset,
    "after": After,
}
Convert = Callable[[Any], Any]
KIND_NAME = {
    "Model": "model",
    "Dataset": "dataset",
    "Analysis": "analysis",
    "Hypothesis": "hypothesis",
}


def _resolver(fn: Callable[..., Any], module: str, returns: str) -> Callable[..., Any]:
    """Give ``fn`` the annotations Strawberry reads: the arguments' own, and the return type
    by name, resolved in ``module`` (where the types are) as if ``fn`` were written there."""
    fn.__module__ = module
    fn.__annotations__.update(
        {name: ARGUMENTS[name] for name in fn.__annotations__ if name in ARGUMENTS}
    )
    fn.__annotations__["return"] = returns
    return fn


def _linked(type_name: str, name: str, link: decl.Link, convert: Convert, module: str) -> Any:
    target = link.targets[0] if len(link.targets) == 1 else "Artifact"
    if link.single:

        async def single(self: Any, info: Any) -> Any:
            found = await resolve.one(info, self.data, link)
            return convert(found) if found else None

        resolver = _resolver(single, module, f"{target} | None")
        return strawberry.field(resolver=resolver, description=link.doc)

    async def page(
        self: Any, info: Any, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> Any:
        found = await resolve.linked(info, self.data, type_name, name, link, limit, offset, after)
        return [convert(a) for a in found]

    resolver = _resolver(page, module, f"list[{target}]")
    return strawberry.field(resolver=resolver, description=(link.doc or "") + PAGED)


def _listed(type_name: str, name: str, convert: Convert, module: str, doc: str) -> Any:
    """A list of versions of the row's own type (its versions, its same-content ones)."""

    async def page(
        self: Any, info: Any, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> Any:
        found = await resolve.items(info, self.data, type_name, name, limit, offset, after)
        return [convert(a) for a in found]

    resolver = _resolver(page, module, f"list[{type_name}]")
    return strawberry.field(resolver=resolver, description=doc + PAGED)


def _versions_doc(type_name: str) -> str:
    return f"Every version of this {KIND_NAME[type_name]}'s lineage, oldest first."


def _same_content_doc(type_name: str) -> str:
    return (
        f"Other {KIND_NAME[type_name]} versions, of any lineage, whose digest of at least 128 "
        "bits is this one's: the same bytes. Empty for a weaker digest (an 8-hex MLflow one), "
        "by id."
    )


def _latest(type_name: str, convert: Convert, module: str) -> Any:
    async def latest(self: Any, info: Any) -> Any:
        return convert(await resolve.latest(info, self.data))

    doc = f"The latest version of this {KIND_NAME[type_name]}'s lineage."
    return strawberry.field(resolver=_resolver(latest, module, type_name), description=doc)


def _count(type_name: str, field: decl.Count, module: str) -> Any:
    async def count(self: Any, info: Any) -> int:
        return await resolve.count(info, self.data, type_name, field)

    resolver = _resolver(count, module, "int")
    return strawberry.field(resolver=resolver, description=count_of(field.of))


def _next_cursor(type_name: str, field: decl.NextCursor, module: str) -> Any:
    async def next_cursor(
        self: Any, info: Any, limit: Limit = LIMIT, offset: Offset = 0, after: After = None
    ) -> str | None:
        return await resolve.next_cursor(info, self.data, type_name, field, limit, offset, after)

    resolver = _resolver(next_cursor, module, "str | None")
    return strawberry.field(resolver=resolver, description=next_cursor_of(field.of))


def declared(type_name: str, convert: Convert) -> Callable[[type[T]], type[T]]:
    """Add the declared link, versions, latest, count and cursor fields of ``type_name`` to a
    class, before strawberry.type reads it. ``convert`` turns a domain artifact into its type."""

    def add(cls: type[T]) -> type[T]:
        module = cls.__module__
        for name, field in decl.FIELDS[type_name].items():
            if isinstance(field, decl.Link):
                made = _linked(type_name, name, field, convert, module)
            elif isinstance(field, decl.Versions):
                made = _listed(type_name, name, convert, module, _versions_doc(type_name))
            elif isinstance(field, decl.SameContent):
                made = _listed(type_name, name, convert, module, _same_content_doc(type_name))
            elif isinstance(field, decl.Latest):
                made = _latest(type_name, convert, module)
            elif isinstance(field, decl.Count):
                made = _count(type_name, field, module)
            elif isinstance(field, decl.NextCursor):
                made = _next_cursor(type_name, field, module)
            else:
                continue  # columns and value shapes are written in the type itself
            setattr(cls, name, made)
        return cls

    return add
