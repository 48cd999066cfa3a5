"""Provenance rules: which links a model lacks, and what that does to its score. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain import Link, ProvenanceWarning, WarningCode

QUALITY_CAP = 0.3


@dataclass(frozen=True)
class ModelProvenance:
    """A model's own links, and the links of the analysis version that produced it."""

    trained_on: Sequence[Link]
    produced_by: Link | None
    tests_hypotheses: Sequence[Link]
    analysis_inputs: Sequence[Link] = ()
    analysis_addresses: Sequence[Link] = ()


def _names(links: Sequence[Link]) -> str:
    return ", ".join(sorted({link.target_lineage_id for link in links}))


def warnings_for(p: ModelProvenance) -> tuple[ProvenanceWarning, ...]:
    """Return the provenance warnings for a model, in a fixed order."""
    found: list[ProvenanceWarning] = []
    if not p.trained_on:
        found.append(
            ProvenanceWarning(
                WarningCode.MISSING_TRAINING_DATA,
                "No training dataset is linked (trained_on).",
            )
        )
    if p.produced_by is None:
        found.append(
            ProvenanceWarning(
                WarningCode.MISSING_PRODUCING_ANALYSIS,
                "No producing analysis is linked (produced_by).",
            )
        )
    floating_own = [link for link in (*p.trained_on, *_opt(p.produced_by)) if not link.pinned]
    floating_inputs = [link for link in p.analysis_inputs if not link.pinned]
    if floating_own or floating_inputs:
        parts = []
        if floating_own:
            parts.append(f"Model links float to the latest version of {_names(floating_own)}.")
        if floating_inputs:
            parts.append(f"Analysis inputs are not pinned: {_names(floating_inputs)}.")
        found.append(ProvenanceWarning(WarningCode.UNPINNED_INPUTS, " ".join(parts)))
    addressed = {link.target_lineage_id for link in p.analysis_addresses}
    tested = {link.target_lineage_id for link in p.tests_hypotheses}
    if addressed and not addressed & tested:
        found.append(
            ProvenanceWarning(
                WarningCode.MISSING_HYPOTHESIS_LINK,
                "The producing analysis addresses "
                f"{', '.join(sorted(addressed))} but the model tests none of them.",
            )
        )
    return tuple(found)


def _opt(link: Link | None) -> tuple[Link, ...]:
    return () if link is None else (link,)


def effective_score(raw: float, warnings: Sequence[ProvenanceWarning]) -> float:
    """Cap the raw score at 0.3 when provenance is incomplete; never raise it."""
    return min(raw, QUALITY_CAP) if warnings else raw
