"""Aliases on the pages, in headless Chromium: badges on catalog rows, the model page's head
and compare's column heads; the model page's aliases panel with each alias's gate, the warning
when a protected alias holds a version that no longer passes, and the paged alias history.

Every expectation is read back from ``/graphql`` for the same question."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any
from urllib.parse import unquote

import pytest

from app.settings import PROJECT_ROOT
from tests.browser import (  # noqa: F401 (fixtures)
    SERVER_ENV_DROP,
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)
from tests.page_checks import assert_no_sideways_overflow
from tests.pages_helpers import graphql, open_page, texts, wait_catalog

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)
HISTORY_PAGE = 20  # static/model-aliases.js HISTORY_PAGE_SIZE
BUSY_MOVES = 25

ALIASES = """query($lineage: ID!) { aliases(lineageId: $lineage) {
  alias protected passes version { id versionNumber } checks { code message } } }"""
HISTORY = """query($id: ID!, $offset: Int!) { model(id: $id) {
  aliases aliasHistoryCount
  aliasHistory(limit: 20, offset: $offset) { alias actor fromVersionId toVersionId reason } } }"""
SET = """mutation($lineage: ID!, $alias: String!, $version: ID!, $reason: String!) {
  setAlias(lineageId: $lineage, alias: $alias, versionId: $version, reason: $reason) { id } }"""
PROTECT = """mutation($lineage: ID!) { protectAlias(lineageId: $lineage, alias: "production",
  gate: [{metric: "auc", threshold: 0.8}]) }"""


def admin_token(server: LiveServer, name: str) -> str:
    """`python -m app tokens create --scope admin` against the live server's data folder."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROP}
    env["REGISTRY_DATA_DIR"] = str(server.data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "app", "tokens", "create", "--scope", "admin", "--name", name],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[0]


@pytest.fixture(scope="module")
def token(live_server: LiveServer) -> str:
    return admin_token(live_server, "alias-pages-admin")


def register(server: LiveServer, token: str, kind: str, payload: dict[str, Any]) -> str:
    field = f"register{kind}"
    data = graphql(
        server,
        f"mutation($input: Register{kind}Input!) {{ {field}(input: $input) {{ id }} }}",
        {"input": payload},
        token,
    )
    return str(data[field]["id"])


def complete_lineage(server: LiveServer, token: str, lineage: str, aucs: list[float]) -> str:
    """Versions of ``lineage`` with complete provenance (pinned data, analysis, hypothesis);
    returns the id of the dataset they are trained on."""
    data = register(server, token, "Dataset", {"lineageId": f"{lineage}-data", "title": "Data"})
    hyp = register(server, token, "Hypothesis", {"lineageId": f"{lineage}-hyp", "title": "H"})
    fit = register(
        server,
        token,
        "Analysis",
        {"lineageId": f"{lineage}-fit", "title": "Fit", "inputs": [data], "addresses": [hyp]},
    )
    for n, auc in enumerate(aucs, start=1):
        register(
            server,
            token,
            "Model",
            {
                "lineageId": lineage,
                "title": f"Alias page model {lineage} v{n}",
                "family": "STATISTICAL",
                "rawQualityScore": 0.7,
                "trainedOn": [data],
                "producedBy": fit,
                "testsHypotheses": [hyp],
                "evaluationMetrics": {"auc": auc},
            },
        )
    return data


def move(
    server: LiveServer, token: str, lineage: str, alias: str, version: str, reason: str
) -> None:
    graphql(
        server,
        SET,
        {"lineage": lineage, "alias": alias, "version": version, "reason": reason},
        token,
    )


@pytest.fixture(scope="module")
def catalog(live_server: LiveServer, token: str) -> None:
    """pa-model: production (protected, gate auc >= 0.8) on v2, whose training data is then
    curated away, and staging moved v2 -> v3; pa-good: a protected production that passes;
    pa-busy: 25 moves of one alias; pa-plain: no alias at all."""
    data = complete_lineage(live_server, token, "pa-model", [0.8, 0.85, 0.9])
    graphql(live_server, PROTECT, {"lineage": "pa-model"}, token)
    move(live_server, token, "pa-model", "production", "pa-model-v2", "release 2")
    move(live_server, token, "pa-model", "staging", "pa-model-v2", "")
    move(live_server, token, "pa-model", "staging", "pa-model-v3", "candidate for release 3")
    curate = """mutation($id: ID!, $data: ID!) {
      removeLinks(id: $id, links: [{type: TRAINED_ON, target: $data}]) { id } }"""
    graphql(live_server, curate, {"id": "pa-model-v2", "data": data}, token)

    complete_lineage(live_server, token, "pa-good", [0.9])
    graphql(live_server, PROTECT, {"lineage": "pa-good"}, token)
    move(live_server, token, "pa-good", "production", "pa-good-v1", "first release")

    complete_lineage(live_server, token, "pa-busy", [0.7, 0.75])
    for n in range(BUSY_MOVES):
        move(live_server, token, "pa-busy", "canary", f"pa-busy-v{n % 2 + 1}", f"move {n}")

    complete_lineage(live_server, token, "pa-plain", [0.7])


def aliases_of(server: LiveServer, lineage: str) -> list[dict[str, Any]]:
    found = graphql(server, ALIASES, {"lineage": lineage})["aliases"]
    assert isinstance(found, list)
    return found


def history(server: LiveServer, model_id: str, offset: int = 0) -> dict[str, Any]:
    found = graphql(server, HISTORY, {"id": model_id, "offset": offset})["model"]
    assert isinstance(found, dict)
    return found


def check_widths(page: WatchedPage, name: str) -> None:
    """No sideways scroll at a phone's and a laptop's width; a screenshot of each."""
    for width in WIDTHS:
        page.page.set_viewport_size({"width": width, "height": 900})
        page.page.wait_for_timeout(100)
        assert_no_sideways_overflow(page)
        save_screenshot(page, f"{name}-{width}.png", full_page=True)


def badges(page: WatchedPage, scope: str) -> list[str]:
    return texts(page, f"{scope} .alias-badge")


# --------------------------------------------------------------------------- catalog


def test_catalog_rows_carry_one_badge_per_alias_linking_to_the_alias(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models?search=Alias+page+model+pa-model")
    wait_catalog(page)
    for v in ("pa-model-v1", "pa-model-v2", "pa-model-v3"):
        want = history(live_server, v)["aliases"]
        assert badges(page, f'#models-table tr[data-model-id="{v}"]') == want
    assert badges(page, '#models-table tr[data-model-id="pa-model-v2"]') == ["production"]
    link = page.page.locator('#models-table tr[data-model-id="pa-model-v3"] a.alias-badge')
    assert link.get_attribute("href") == "/models/pa-model@staging"
    check_widths(page, "alias-catalog")
    page.page.set_viewport_size({"width": 1366, "height": 900})
    link.click()
    page.page.wait_for_selector("body[data-state=ready]")
    assert page.page.text_content("#page-title") == "Alias page model pa-model v3"
    assert badges(page, "#model-aliases") == ["staging"]
    page.assert_clean()


# --------------------------------------------------------------------------- model page


def test_the_model_page_warns_that_a_protected_alias_holds_it_but_fails_its_gate(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/pa-model@production")
    assert page.page.text_content("#page-title") == "Alias page model pa-model v2"
    assert badges(page, "#model-aliases") == ["production"]
    assert "You opened the alias pa-model@production" in page.page.inner_text("#asked-note")
    (production,) = [a for a in aliases_of(live_server, "pa-model") if a["alias"] == "production"]
    assert production["passes"] is False  # curation took its training data away
    warning = page.page.locator("#alias-warning")
    assert warning.get_attribute("data-aliases") == "production"
    assert "pa-model@production" in warning.inner_text()
    assert "no longer passes its gate" in warning.inner_text()
    assert texts(page, "#alias-warning li") == [
        f"{c['code']} {c['message']}" for c in production["checks"]
    ]
    assert [c["code"] for c in production["checks"]] == ["PROVENANCE_INCOMPLETE"]
    check_widths(page, "alias-model-warning")
    page.assert_clean()


def test_the_aliases_panel_lists_each_alias_its_version_and_its_gate(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/pa-model-v3")
    assert page.page.locator("#alias-warning").count() == 0  # staging holds v3, unprotected
    want = aliases_of(live_server, "pa-model")
    assert texts(page, "#aliases-table tbody tr", "data-alias") == [a["alias"] for a in want]
    for a in want:
        row = f'#aliases-table tr[data-alias="{a["alias"]}"]'
        version = a["version"]
        assert texts(page, f"{row} td:nth-child(2) a") == [f"@{version['versionNumber']}"]
        href = page.page.get_attribute(f"{row} td:nth-child(2) a", "href")
        assert href == f"/models/{version['id']}"
        assert page.page.locator(f"{row} .protected-badge").count() == int(a["protected"])
    production = '#aliases-table tr[data-alias="production"]'
    assert "auc 0.8 or better" in page.page.inner_text(production)
    assert page.page.get_attribute(f"{production} [data-gate]", "data-gate") == "fails"
    assert texts(page, f"{production} .gate-checks li", "data-code") == ["PROVENANCE_INCOMPLETE"]
    staging = '#aliases-table tr[data-alias="staging"]'
    assert "not protected" in page.page.inner_text(staging)
    assert page.page.get_attribute(staging, "class") == "current"
    # The versions list carries the same badges as each version's own aliases.
    for v in ("pa-model-v1", "pa-model-v2", "pa-model-v3"):
        row = f'#versions-table tr[data-model-id="{v}"]'
        assert badges(page, row) == history(live_server, v)["aliases"]
    page.assert_clean()


def test_a_protected_alias_that_passes_says_so_and_warns_nothing(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/pa-good@production")
    (good,) = aliases_of(live_server, "pa-good")
    assert (good["protected"], good["passes"]) == (True, True)
    assert page.page.locator("#alias-warning").count() == 0
    row = '#aliases-table tr[data-alias="production"]'
    assert page.page.get_attribute(f"{row} [data-gate]", "data-gate") == "passes"
    assert page.page.inner_text(f"{row} [data-gate]") == "✓ passes its gate"
    page.assert_clean()


def test_the_alias_history_shows_each_move_newest_first(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/pa-model-v3")
    want = history(live_server, "pa-model-v3")
    assert want["aliasHistoryCount"] == 3
    rows = page.page.locator("#alias-history-table tbody tr")
    assert rows.count() == 3
    assert texts(page, "#alias-history-table tbody tr", "data-alias") == [
        m["alias"] for m in want["aliasHistory"]
    ]
    newest = want["aliasHistory"][0]  # staging moved v2 -> v3
    cells = texts(page, "#alias-history-table tbody tr:first-child td")
    assert cells[1:] == [
        newest["alias"],
        f"{newest['fromVersionId']} → {newest['toVersionId']} (this version)",
        newest["actor"],
        newest["reason"],
    ]
    assert newest["actor"] == "alias-pages-admin"
    first_set = texts(page, "#alias-history-table tbody tr:nth-child(2) td")
    assert first_set[2:] == ["set to pa-model-v2", "alias-pages-admin", "no reason given"]
    assert page.page.locator("#alias-history-slot .pager").count() == 0  # one page only
    page.assert_clean()


def test_the_alias_history_pages_like_the_versions_list(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/pa-busy-v1")
    first = history(live_server, "pa-busy-v1")
    assert first["aliasHistoryCount"] == BUSY_MOVES
    caption = page.page.inner_text("#alias-history-table caption")
    assert caption == f"Alias moves 1\u2013{HISTORY_PAGE} of {BUSY_MOVES}, newest first"
    reasons = texts(page, "#alias-history-table td.reason")
    assert reasons == [m["reason"] for m in first["aliasHistory"]]
    assert reasons[0] == f"move {BUSY_MOVES - 1}"
    assert page.page.inner_text("#alias-history-slot .page-of") == "Page 1 of 2"
    page.page.click('#alias-history-slot [data-page="older"]')
    page.page.wait_for_function(
        "() => document.querySelector('#alias-history-slot .page-of')?.textContent === "
        "'Page 2 of 2'"
    )
    rest = history(live_server, "pa-busy-v1", offset=HISTORY_PAGE)["aliasHistory"]
    assert texts(page, "#alias-history-table td.reason") == [m["reason"] for m in rest]
    assert len(rest) == BUSY_MOVES - HISTORY_PAGE
    assert page.page.is_disabled('#alias-history-slot [data-page="older"]')
    page.page.click('#alias-history-slot [data-page="newest"]')
    page.page.wait_for_function(
        "() => document.querySelector('#alias-history-slot .page-of')?.textContent === "
        "'Page 1 of 2'"
    )
    page.assert_clean()


def test_a_lineage_without_aliases_says_so(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/pa-plain-v1")
    assert aliases_of(live_server, "pa-plain") == []
    assert page.page.locator("#model-aliases").count() == 0
    assert "No alias points at a version of pa-plain" in page.page.inner_text("#aliases-empty")
    empty = page.page.inner_text("#alias-history-empty")
    assert empty == "No alias of this lineage has moved yet."
    page.assert_clean()


def test_an_unknown_alias_is_a_not_found_page_naming_it(page: WatchedPage, catalog: None) -> None:
    open_page(page, "/models/pa-model@nope")
    assert page.page.get_attribute("body", "data-state") == "error"
    assert page.page.text_content("#page-title") == "Model not found"
    assert "nope" in page.page.inner_text("#error")
    page.assert_clean()


# --------------------------------------------------------------------------- compare


def test_compare_column_heads_carry_each_models_aliases(
    page: WatchedPage, live_server: LiveServer, catalog: None
) -> None:
    open_page(page, "/models/compare?ids=pa-model@production,pa-model-v3")
    assert page.page.get_attribute("body", "data-state") == "ready"
    for v in ("pa-model-v2", "pa-model-v3"):
        want = history(live_server, v)["aliases"]
        assert want
        assert badges(page, f'#metrics thead th[data-model-id="{v}"]') == want
        assert badges(page, f'article.card[data-model-id="{v}"]') == want
    card = page.page.inner_text('article.card[data-model-id="pa-model-v2"]')
    assert "Asked for the alias pa-model@production" in card
    assert "ids=pa-model@production," in unquote(page.page.url)  # kept as asked
    check_widths(page, "alias-compare")
    page.assert_clean()
