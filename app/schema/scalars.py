"""Scalars beyond GraphQL's own."""

from __future__ import annotations

from datetime import datetime
from typing import NewType

import strawberry
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from app.domain import iso_utc

# Parameter counts pass 2^31; JSON numbers hold integers exactly up to 2^53.
BigInt = NewType("BigInt", int)

SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="An integer that may exceed 32 bits (exact up to 2^53).",
        serialize=int,
        parse_value=int,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description="Date with time (isoformat)",
        serialize=iso_utc,
        parse_value=datetime.fromisoformat,
    ),
}

__all__ = ["JSON", "SCALARS", "BigInt"]
