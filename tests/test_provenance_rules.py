"""The provenance rules, table-driven, without I/O."""

from __future__ import annotations

import pytest

from app.domain import Kind, Link, LinkType, WarningCode
from app.provenance import ModelProvenance, effective_score, warnings_for

M = "model-x-v1"


def link(t: LinkType, lineage: str, version: str | None, source: str = M) -> Link:
    kind = {
        LinkType.TRAINED_ON: Kind.DATASET,
        LinkType.PRODUCED_BY: Kind.ANALYSIS,
        LinkType.TESTS_HYPOTHESIS: Kind.HYPOTHESIS,
        LinkType.ADDRESSES: Kind.HYPOTHESIS,
        LinkType.USES: Kind.DATASET,
        LinkType.DERIVED_FROM: Kind.MODEL,
    }[t]
    return Link(source, t, lineage, version, kind)


DATA = link(LinkType.TRAINED_ON, "ds", "ds-v1")
DATA_FLOAT = link(LinkType.TRAINED_ON, "ds", None)
PRODUCER = link(LinkType.PRODUCED_BY, "an", "an-v1")
PRODUCER_FLOAT = link(LinkType.PRODUCED_BY, "an", None)
TESTS_H = link(LinkType.TESTS_HYPOTHESIS, "h", "h-v1")
TESTS_OTHER = link(LinkType.TESTS_HYPOTHESIS, "h2", "h2-v1")
INPUT = link(LinkType.USES, "ds", "ds-v1", source="an-v1")
INPUT_FLOAT = link(LinkType.USES, "raw", None, source="an-v1")
ADDRESSES_H = link(LinkType.ADDRESSES, "h", "h-v1", source="an-v1")
ADDRESSES_H_FLOAT = link(LinkType.ADDRESSES, "h", None, source="an-v1")

W = WarningCode
CASES = [
    ("complete", [DATA], PRODUCER, [TESTS_H], [INPUT], [ADDRESSES_H], []),
    ("complete without hypotheses", [DATA], PRODUCER, [], [INPUT], [], []),
    ("no training data", [], PRODUCER, [], [INPUT], [], [W.MISSING_TRAINING_DATA]),
    ("no analysis", [DATA], None, [], [], [], [W.MISSING_PRODUCING_ANALYSIS]),
    (
        "floating analysis input",
        [DATA],
        PRODUCER,
        [],
        [INPUT, INPUT_FLOAT],
        [],
        [W.UNPINNED_INPUTS],
    ),
    ("floating training data", [DATA_FLOAT], PRODUCER, [], [INPUT], [], [W.UNPINNED_INPUTS]),
    ("floating producer", [DATA], PRODUCER_FLOAT, [], [INPUT], [], [W.UNPINNED_INPUTS]),
    (
        "hypothesis not tested",
        [DATA],
        PRODUCER,
        [],
        [INPUT],
        [ADDRESSES_H],
        [W.MISSING_HYPOTHESIS_LINK],
    ),
    (
        "other hypothesis tested",
        [DATA],
        PRODUCER,
        [TESTS_OTHER],
        [],
        [ADDRESSES_H],
        [W.MISSING_HYPOTHESIS_LINK],
    ),
    ("addressed by lineage, floating", [DATA], PRODUCER, [TESTS_H], [], [ADDRESSES_H_FLOAT], []),
    (
        "nothing at all",
        [],
        None,
        [],
        [],
        [],
        [W.MISSING_TRAINING_DATA, W.MISSING_PRODUCING_ANALYSIS],
    ),
    (
        "no data, floating input, untested hypothesis",
        [],
        PRODUCER,
        [],
        [INPUT_FLOAT],
        [ADDRESSES_H],
        [W.MISSING_TRAINING_DATA, W.UNPINNED_INPUTS, W.MISSING_HYPOTHESIS_LINK],
    ),
    (
        "all four",
        [],
        PRODUCER_FLOAT,
        [],
        [INPUT_FLOAT],
        [ADDRESSES_H],
        [W.MISSING_TRAINING_DATA, W.UNPINNED_INPUTS, W.MISSING_HYPOTHESIS_LINK],
    ),
]


@pytest.mark.parametrize(
    ("trained_on", "producer", "tests", "inputs", "addresses", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_warning_codes_follow_the_rules(trained_on, producer, tests, inputs, addresses, expected):
    p = ModelProvenance(trained_on, producer, tests, inputs, addresses)
    assert [w.code for w in warnings_for(p)] == expected


def test_missing_analysis_and_data_together_give_every_code_they_imply():
    p = ModelProvenance([], None, [], [], [])
    codes = {w.code for w in warnings_for(p)}
    assert codes == {W.MISSING_TRAINING_DATA, W.MISSING_PRODUCING_ANALYSIS}


def test_unpinned_warning_names_each_floating_input():
    p = ModelProvenance([DATA_FLOAT], PRODUCER, [], [INPUT_FLOAT], [])
    (w,) = warnings_for(p)
    assert "ds" in w.message and "raw" in w.message


def test_hypothesis_warning_names_the_addressed_hypothesis():
    trem2 = link(LinkType.ADDRESSES, "hyp-trem2", "hyp-trem2-v1", source="an-v1")
    apoe = link(LinkType.ADDRESSES, "hyp-apoe", None, source="an-v1")
    # Tests another hypothesis than those addressed, which the message must not name.
    p = ModelProvenance([DATA], PRODUCER, [TESTS_OTHER], [], [trem2, apoe])
    (w,) = warnings_for(p)
    assert w.code is W.MISSING_HYPOTHESIS_LINK
    assert w.message == (
        "The producing analysis addresses hyp-apoe, hyp-trem2 but the model tests none of them."
    )


SCORES = [
    ("no warnings keeps raw", 0.9, False, 0.9),
    ("warning caps high score", 0.9, True, 0.3),
    ("cap is inclusive at 0.3", 0.3, True, 0.3),
    ("score below cap stays", 0.22, True, 0.22),
    ("zero stays zero", 0.0, True, 0.0),
    ("perfect without warnings", 1.0, False, 1.0),
]


@pytest.mark.parametrize(
    ("raw", "warned", "expected"), [c[1:] for c in SCORES], ids=[c[0] for c in SCORES]
)
def test_effective_score_is_capped_only_by_warnings(raw, warned, expected):
    p = ModelProvenance([], None, [], [], []) if warned else ModelProvenance([DATA], PRODUCER, [])
    assert effective_score(raw, warnings_for(p)) == expected
