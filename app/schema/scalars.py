"""Scalars beyond GraphQL's own."""

from __future__ import annotations

from datetime import datetime
from typing import NewType

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from app.domain import iso_utc

# Parameter counts pass 2^31; JSON numbers hold integers exactly up to 2^53.
BigInt = NewType("BigInt", int)


def parse_big_int(value: object) -> int:
    """GraphQL's Int input coercion without the 32-bit bound: integers only, never strings.

    A float with no fraction is an integer (JSON cannot tell 12 from 12.0); 1.5 and "12" are
    refused, as Int refuses them.
    """
    # A GraphQLError, not ValueError: graphql-core keeps another exception as the cause,
    # which the error masking would take for a server fault.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GraphQLError(f"BigInt cannot represent a non-integer value: {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise GraphQLError(f"BigInt cannot represent a non-integer value: {value!r}")
    return int(value)


SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="An integer that may exceed 32 bits (exact up to 2^53).",
        serialize=int,
        parse_value=parse_big_int,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description="Date with time (isoformat)",
        serialize=iso_utc,
        parse_value=datetime.fromisoformat,
    ),
}

__all__ = ["JSON", "SCALARS", "BigInt"]
