"""The GraphQL schema: types, the root Query, limits and error handling."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig

from app.schema.budget import ResponseBudget
from app.schema.documents import MAX_TOKENS, PreparedDocuments
from app.schema.errors import ClientErrors
from app.schema.feed_execution import FeedExecutor
from app.schema.mutation import Mutation
from app.schema.observe import OperationLabel
from app.schema.query import Query
from app.schema.scalars import SCALARS
from app.schema.subscription import Subscription
from app.schema.types import Analysis, Dataset, Hypothesis, Model


class RegistrySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log nothing here: ClientErrors logs the unexpected ones, with their traceback."""


schema = RegistrySchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Model, Dataset, Analysis, Hypothesis],
    config=StrawberryConfig(disable_field_suggestions=True, scalar_map=SCALARS),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        PreparedDocuments,
        ResponseBudget,
        ClientErrors,
        OperationLabel,
    ],
    execution_context_class=FeedExecutor,
)
