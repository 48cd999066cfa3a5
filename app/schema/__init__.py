"""The GraphQL schema: types, the root Query, limits and error handling."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from app.schema.budget import ResponseBudget
from app.schema.errors import ClientErrors
from app.schema.mutation import Mutation
from app.schema.observe import OperationLabel
from app.schema.query import Query
from app.schema.scalars import SCALARS
from app.schema.types import Analysis, Dataset, Hypothesis, Model

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


class RegistrySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log nothing here: ClientErrors logs the unexpected ones, with their traceback."""


schema = RegistrySchema(
    query=Query,
    mutation=Mutation,
    types=[Model, Dataset, Analysis, Hypothesis],
    config=StrawberryConfig(disable_field_suggestions=True, scalar_map=SCALARS),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ClientErrors,
        ResponseBudget,
        OperationLabel,
    ],
)
