"""The root Mutation: registration, curation and token management, all behind tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Annotated, Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from app import domain
from app.auth import Scope
from app.domain import Kind, LinkType, NewArtifact
from app.errors import InvalidInput
from app.schema import inputs
from app.schema.inputs import (
    GateMetricInput,
    LinkInput,
    RegisterAnalysisInput,
    RegisterDatasetInput,
    RegisterHypothesisInput,
    RegisterModelInput,
)
from app.schema.metrics import RegistryMetric, registry_metric
from app.schema.types import (
    Analysis,
    Artifact,
    Dataset,
    Hypothesis,
    Info,
    Model,
    to_gql,
)
from app.schema.values import MetricDirection, TagInput, TokenScope
from app.schema.webhooks import ADMIN_MUTATIONS as WEBHOOK_MUTATIONS
from app.schema.webhooks import WebhookMutation
from app.service import metrics, writes

KEY_HELP = "Repeat a call with the same key to get its first result without writing again."

# The scope each mutation needs, checked before a request runs (the services check again).
SCOPES: dict[str, Scope] = {
    "registerDataset": Scope.WRITE,
    "registerHypothesis": Scope.WRITE,
    "registerAnalysis": Scope.WRITE,
    "registerModel": Scope.WRITE,
    "addLinks": Scope.WRITE,
    "setAlias": Scope.WRITE,  # a protected alias needs promote, checked when it moves
    "removeAlias": Scope.WRITE,
    "protectAlias": Scope.ADMIN,
    "unprotectAlias": Scope.ADMIN,
    "removeLinks": Scope.WRITE,
    "archiveVersion": Scope.WRITE,
    "restoreVersion": Scope.WRITE,
    "setTags": Scope.WRITE,
    "removeTags": Scope.WRITE,
    "declareMetric": Scope.WRITE,  # changing a declared direction needs admin, checked there
    "createToken": Scope.ADMIN,
    "revokeToken": Scope.ADMIN,
    **dict.fromkeys(WEBHOOK_MUTATIONS, Scope.ADMIN),
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


def _register(
    input_type: type, result: type, new: Callable[[Any], NewArtifact], description: str
) -> Any:
    """A registerX mutation: its input type, what it answers, how the input becomes a request."""

    async def resolve(info: Info, input: Any, idempotency_key: str | None = None) -> Any:
        c = info.context
        key = _key(info, idempotency_key)
        return to_gql(await writes.register_artifact(c.db, c.principal, new(input), key))

    # Strawberry reads the schema's types from the annotations.
    resolve.__annotations__["input"] = input_type
    resolve.__annotations__["return"] = result
    return strawberry.mutation(resolver=resolve, description=description)


Curation = Callable[[Any, str, list[LinkInput], str | None], Awaitable[domain.Artifact]]


def _curation(change: Curation, description: str) -> Any:
    """A mutation editing one version's links: ``change`` does it, given the context."""

    async def resolve(
        info: Info, id: strawberry.ID, links: list[LinkInput], idempotency_key: str | None = None
    ) -> Artifact:
        key = _key(info, idempotency_key)
        return to_gql(await change(info.context, str(id), links, key))

    return strawberry.mutation(resolver=resolve, description=description)


@strawberry.type
class Mutation(WebhookMutation):
    register_dataset = _register(
        RegisterDatasetInput,
        Dataset,
        lambda f: inputs.plain(Kind.DATASET, f),
        "Register the next version of a dataset lineage.",
    )
    register_hypothesis = _register(
        RegisterHypothesisInput,
        Hypothesis,
        lambda f: inputs.plain(Kind.HYPOTHESIS, f),
        "Register the next version of a hypothesis lineage.",
    )
    register_analysis = _register(
        RegisterAnalysisInput,
        Analysis,
        inputs.analysis,
        "Register the next version of an analysis lineage.",
    )
    register_model = _register(
        RegisterModelInput,
        Model,
        inputs.model,
        "Register the next version of a model lineage. The answer carries the effective "
        "quality score and any provenance warnings.",
    )

    add_links = _curation(
        lambda c, ref, links, key: writes.add_links(
            c.db, c.principal, ref, inputs.link_specs(links), key
        ),
        "Add links to an existing version; a link of the same type to the same lineage is "
        "replaced (for example to pin a floating input). Scores are recomputed.",
    )
    remove_links = _curation(
        lambda c, ref, links, key: writes.remove_links(
            c.db, c.principal, ref, [(LinkType(lk.type.value), str(lk.target)) for lk in links], key
        ),
        "Remove links of an existing version. Scores are recomputed.",
    )

    @strawberry.mutation(
        description="Point an alias of a lineage (`production`, `champion`) at one of its "
        "versions; `lineage@alias` then names that version wherever an id is accepted. With "
        "expectedVersionId, only if the alias points at that version now (CONFLICT when it "
        "moved meanwhile). Every move is recorded with its reason."
    )
    async def set_alias(
        self,
        info: Info,
        lineage_id: strawberry.ID,
        alias: str,
        version_id: strawberry.ID,
        reason: str = "",
        expected_version_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        force: Annotated[
            bool,
            strawberry.argument(
                description="Move a protected alias past a refusing gate (admin; needs a "
                "reason, recorded with the move)."
            ),
        ] = False,
    ) -> Artifact:
        c = info.context
        moved = await writes.set_alias(
            c.db,
            c.principal,
            str(lineage_id),
            alias,
            str(version_id),
            reason,
            None if expected_version_id is None else str(expected_version_id),
            _key(info, idempotency_key),
            force,
        )
        return to_gql(moved)

    @strawberry.mutation(
        description='Protect an alias of a lineage (or of every lineage: lineageId "*"), '
        "admin only: moving it then needs the promote scope and passes its gate (complete "
        "provenance, not archived, every gate metric holding); PROMOTION_REFUSED otherwise, "
        "with `extensions.checks`."
    )
    async def protect_alias(
        self, info: Info, lineage_id: strawberry.ID, alias: str, gate: list[GateMetricInput]
    ) -> bool:
        c = info.context
        await writes.protect_alias(
            c.db, c.principal, str(lineage_id), alias, [g.to_domain() for g in gate]
        )
        return True

    @strawberry.mutation(description="Lift an alias's protection (admin only).")
    async def unprotect_alias(self, info: Info, lineage_id: strawberry.ID, alias: str) -> bool:
        c = info.context
        await writes.unprotect_alias(c.db, c.principal, str(lineage_id), alias)
        return True

    @strawberry.mutation(
        description="Remove an alias of a lineage; the answer is the version it pointed at."
    )
    async def remove_alias(
        self,
        info: Info,
        lineage_id: strawberry.ID,
        alias: str,
        reason: str = "",
        expected_version_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
    ) -> Artifact:
        c = info.context
        held = await writes.remove_alias(
            c.db,
            c.principal,
            str(lineage_id),
            alias,
            reason,
            None if expected_version_id is None else str(expected_version_id),
            _key(info, idempotency_key),
        )
        return to_gql(held)

    @strawberry.mutation(
        description="Archive a version: it stays readable and linkable by id but leaves every "
        "latest-only list. CONFLICT when it is archived already."
    )
    async def archive_version(
        self, info: Info, id: strawberry.ID, reason: str, idempotency_key: str | None = None
    ) -> Artifact:
        c, key = info.context, _key(info, idempotency_key)
        return to_gql(await writes.archive_version(c.db, c.principal, str(id), reason, key))

    @strawberry.mutation(description="Restore an archived version. CONFLICT when it is not.")
    async def restore_version(
        self, info: Info, id: strawberry.ID, reason: str, idempotency_key: str | None = None
    ) -> Artifact:
        c, key = info.context, _key(info, idempotency_key)
        return to_gql(await writes.restore_version(c.db, c.principal, str(id), reason, key))

    @strawberry.mutation(
        description="Add tags to a version, or change the values of keys it has; at most 50."
    )
    async def set_tags(
        self,
        info: Info,
        id: strawberry.ID,
        tags: list[TagInput],
        idempotency_key: str | None = None,
    ) -> Artifact:
        c, key = info.context, _key(info, idempotency_key)
        wanted = [domain.Tag(t.key, t.value) for t in tags]
        return to_gql(await writes.set_tags(c.db, c.principal, str(id), wanted, key))

    @strawberry.mutation(
        description="Remove tags of a version by key. NOT_FOUND names the keys it does not have."
    )
    async def remove_tags(
        self, info: Info, id: strawberry.ID, keys: list[str], idempotency_key: str | None = None
    ) -> Artifact:
        c, key = info.context, _key(info, idempotency_key)
        return to_gql(await writes.remove_tags(c.db, c.principal, str(id), keys, key))

    @strawberry.mutation(
        description="Declare whether higher or lower is better for a metric name, for every "
        "model: compare, promotion gates and each metric's `better` follow it (an undeclared "
        "name's direction is inferred from the name). Declaring a name needs the write scope; "
        "changing the direction of a declared one flips every comparison and gate on it and "
        "needs admin (FORBIDDEN otherwise); the same direction again updates the description."
    )
    async def declare_metric(
        self, info: Info, name: str, direction: MetricDirection, description: str = ""
    ) -> RegistryMetric:
        c = info.context
        declared = await metrics.declare(c.db, c.principal, name, direction, description)
        return registry_metric(declared)

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
