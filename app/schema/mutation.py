"""The root Mutation: registration, curation and token management, all behind tokens."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from app.auth import Scope
from app.domain import Kind, LinkType
from app.errors import InvalidInput
from app.schema import inputs
from app.schema.inputs import (
    LinkInput,
    RegisterAnalysisInput,
    RegisterDatasetInput,
    RegisterHypothesisInput,
    RegisterModelInput,
    TokenScope,
)
from app.schema.types import (
    Analysis,
    Artifact,
    Dataset,
    Hypothesis,
    Info,
    Model,
    as_analysis,
    as_dataset,
    as_hypothesis,
    as_model,
    to_gql,
)
from app.service import writes

KEY_HELP = "Repeat a call with the same key to get its first result without writing again."

# The scope each mutation needs, checked before a request runs (the services check again).
SCOPES: dict[str, Scope] = {
    "registerDataset": Scope.WRITE,
    "registerHypothesis": Scope.WRITE,
    "registerAnalysis": Scope.WRITE,
    "registerModel": Scope.WRITE,
    "addLinks": Scope.WRITE,
    "removeLinks": Scope.WRITE,
    "createToken": Scope.ADMIN,
    "revokeToken": Scope.ADMIN,
}


def root_fields(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[str]:
    """The names of the root fields an operation selects, through fragments (each once)."""
    seen: set[str] = set()

    def walk(selections: SelectionSetNode) -> Iterator[str]:
        for sel in selections.selections:
            if isinstance(sel, FieldNode):
                yield sel.name.value
            elif isinstance(sel, InlineFragmentNode):
                yield from walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                seen.add(sel.name.value)
                fragment = fragments.get(sel.name.value)
                if fragment is not None:
                    yield from walk(fragment.selection_set)

    return walk(operation.selection_set)


@strawberry.type(description="A new token. The secret is shown this once and never again.")
class CreatedToken:
    name: str
    scopes: list[TokenScope]
    token: str


def _key(info: Info, argument: str | None) -> str | None:
    """The key from the argument or the Idempotency-Key header; they must agree.

    An empty key is refused: taken as "no key", a retry would write twice.
    """
    header = info.context.request.headers.get("idempotency-key")
    if argument == "" or header == "":
        raise InvalidInput("an idempotency key must not be empty", field="idempotencyKey")
    if argument is not None and header is not None and argument != header:
        raise InvalidInput(
            "idempotencyKey and the Idempotency-Key header differ", field="idempotencyKey"
        )
    return argument if argument is not None else header


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register the next version of a dataset lineage.")
    async def register_dataset(
        self, info: Info, input: RegisterDatasetInput, idempotency_key: str | None = None
    ) -> Dataset:
        c = info.context
        new = inputs.plain(Kind.DATASET, input)
        a = await writes.register_artifact(c.db, c.principal, new, _key(info, idempotency_key))
        return as_dataset(a)

    @strawberry.mutation(description="Register the next version of a hypothesis lineage.")
    async def register_hypothesis(
        self, info: Info, input: RegisterHypothesisInput, idempotency_key: str | None = None
    ) -> Hypothesis:
        c = info.context
        new = inputs.plain(Kind.HYPOTHESIS, input)
        a = await writes.register_artifact(c.db, c.principal, new, _key(info, idempotency_key))
        return as_hypothesis(a)

    @strawberry.mutation(description="Register the next version of an analysis lineage.")
    async def register_analysis(
        self, info: Info, input: RegisterAnalysisInput, idempotency_key: str | None = None
    ) -> Analysis:
        c = info.context
        new = inputs.analysis(input)
        a = await writes.register_artifact(c.db, c.principal, new, _key(info, idempotency_key))
        return as_analysis(a)

    @strawberry.mutation(
        description="Register the next version of a model lineage. The answer carries the "
        "effective quality score and any provenance warnings."
    )
    async def register_model(
        self, info: Info, input: RegisterModelInput, idempotency_key: str | None = None
    ) -> Model:
        c = info.context
        new = inputs.model(input)
        a = await writes.register_artifact(c.db, c.principal, new, _key(info, idempotency_key))
        return as_model(a)

    @strawberry.mutation(
        description="Add links to an existing version; a link of the same type to the same "
        "lineage is replaced (for example to pin a floating input). Scores are recomputed."
    )
    async def add_links(
        self,
        info: Info,
        id: strawberry.ID,
        links: list[LinkInput],
        idempotency_key: str | None = None,
    ) -> Artifact:
        c = info.context
        a = await writes.add_links(
            c.db, c.principal, str(id), inputs.link_specs(links), _key(info, idempotency_key)
        )
        return to_gql(a)

    @strawberry.mutation(description="Remove links of an existing version. Scores are recomputed.")
    async def remove_links(
        self,
        info: Info,
        id: strawberry.ID,
        links: list[LinkInput],
        idempotency_key: str | None = None,
    ) -> Artifact:
        c = info.context
        targets = [(LinkType(lk.type.value), str(lk.target)) for lk in links]
        a = await writes.remove_links(
            c.db, c.principal, str(id), targets, _key(info, idempotency_key)
        )
        return to_gql(a)

    @strawberry.mutation(description="Create an API token (needs the admin scope).")
    async def create_token(self, info: Info, name: str, scopes: list[TokenScope]) -> CreatedToken:
        c = info.context
        created = await writes.create_token(c.db, c.principal, name, [s.value for s in scopes])
        return CreatedToken(
            name=created.name,
            scopes=[TokenScope(s.value) for s in created.scopes],
            token=created.token,
        )

    @strawberry.mutation(description="Revoke an API token by name (needs the admin scope).")
    async def revoke_token(self, info: Info, name: str) -> bool:
        c = info.context
        await writes.revoke_token(c.db, c.principal, name)
        return True
