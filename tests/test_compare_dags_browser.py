"""The compare page's provenance graphs in headless Chromium (tests.pages_helpers)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import Locator

from tests.browser import (  # noqa: F401 (fixtures)
    LiveServer,
    WatchedPage,
    browser_fixture,
    live_server_fixture,
    page_fixture,
    save_screenshot,
)
from tests.page_checks import assert_graphs_fit, assert_no_sideways_overflow
from tests.pages_helpers import (  # noqa: F401 (fixtures)
    BULK,
    Built,
    built_fixture,
    compare_data,
    hex_to_rgb,
    open_page,
    texts,
)

pytestmark = pytest.mark.browser

DAG_GEOMETRY = """(svg) => {
  const boxes = {};
  for (const g of svg.querySelectorAll('g.node')) {
    const r = g.querySelector('rect.box').getBoundingClientRect();
    boxes[g.dataset.id] = [r.left, r.top, r.right, r.bottom];
  }
  const edges = [...svg.querySelectorAll('path.edge')].map((p) => {
    const m = p.getScreenCTM();
    const first = p.getPointAtLength(0).matrixTransform(m);
    const last = p.getPointAtLength(p.getTotalLength()).matrixTransform(m);
    return { source: p.dataset.source, target: p.dataset.target, type: p.dataset.type,
             floating: p.classList.contains('floating'),
             start: [first.x, first.y], end: [last.x, last.y] };
  });
  const nodes = [...svg.querySelectorAll('g.node')].map((g) => ({
    id: g.dataset.id, nodeId: g.dataset.nodeId, kind: g.dataset.kind,
    shared: !!g.querySelector('rect.shared-outline'),
    stroke: g.querySelector('rect.box').getAttribute('stroke'),
    label: g.querySelector('text.node-label').textContent,
    fontPx: g.querySelector('text.node-label').getBoundingClientRect().height,
  }));
  return { nodes, edges, boxes, label: svg.getAttribute('aria-label') };
}"""


def touches(point: list[float], box: list[float], slack: float = 3.0) -> bool:
    x, y = point
    left, top, right, bottom = box
    return left - slack <= x <= right + slack and top - slack <= y <= bottom + slack


def drawn_dags(page: WatchedPage) -> dict[str, dict[str, Any]]:
    found = {}
    # One graph per compared model; the merged graph of all of them is tested on its own.
    for handle in page.page.query_selector_all("figure.dag:not(.dag-merged) svg.dag-svg"):
        model_id = handle.get_attribute("data-model-id")
        assert model_id
        found[model_id] = handle.evaluate(DAG_GEOMETRY)
    return found


def texts_in(scope: Locator, selector: str, attribute: str) -> list[str]:
    values = scope.locator(selector).evaluate_all(
        "(els, a) => els.map(e => e.getAttribute(a))", attribute
    )
    return [str(v) for v in values]


def assert_dags_match(page: WatchedPage, data: dict[str, Any]) -> None:
    """Nodes and edges drawn equal compareModels' DAGs; every edge joins two drawn nodes."""
    drawn = drawn_dags(page)
    dags = data["provenance"]["dags"]
    assert list(drawn) == [d["modelId"] for d in dags]
    for dag in dags:
        shown = drawn[dag["modelId"]]
        assert shown["label"] and dag["modelId"] in shown["label"], "aria-label on the SVG"
        assert len(shown["nodes"]) == len(dag["nodes"])
        assert len(shown["edges"]) == len(dag["edges"])
        assert sorted(n["id"] for n in shown["nodes"]) == sorted(n["id"] for n in dag["nodes"])
        by_id = {n["id"]: n for n in dag["nodes"]}
        for node in shown["nodes"]:
            assert node["nodeId"] == node["id"]
            artifact = by_id[node["id"]]["artifact"]
            assert node["label"] == f"{artifact['lineageId']} @{artifact['versionNumber']}"
            assert node["kind"] == artifact["kind"]
            assert node["shared"] == by_id[node["id"]]["sharedByAll"], node["id"]
        assert Counter((e["source"], e["target"], e["type"]) for e in shown["edges"]) == Counter(
            (e["source"], e["target"], e["type"]) for e in dag["edges"]
        )
        assert sum(e["floating"] for e in shown["edges"]) == sum(
            not e["pinned"] for e in dag["edges"]
        )
        for edge in shown["edges"]:
            # Drawn from the dependency (left) to the dependent: it starts on the target's box
            # and ends on the source's box.
            assert touches(edge["start"], shown["boxes"][edge["target"]]), edge
            assert touches(edge["end"], shown["boxes"][edge["source"]]), edge
        # The graph's own legend names exactly the link types it draws.
        legend = page.page.locator(f'figure.dag[data-model-id="{dag["modelId"]}"] .dag-legend')
        assert set(texts_in(legend, "li[data-edge-type]", "data-edge-type")) == {
            e["type"] for e in dag["edges"]
        }
        styles = set(texts_in(legend, "li[data-edge-style]", "data-edge-style"))
        assert styles == {"pinned" if e["pinned"] else "floating" for e in dag["edges"]}
        # Inputs on the left, the model on the right.
        model_box = shown["boxes"][dag["modelId"]]
        assert all(
            box[0] < model_box[0] for i, box in shown["boxes"].items() if i != dag["modelId"]
        )


def test_compare_dags_match_compare_models_and_show_node_details(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    data = compare_data(live_server, built.abc)
    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    assert_dags_match(page, data)
    assert set(data["provenance"]["sharedAncestorIds"]) == {
        "pt-shared-v1",
        "pt-atlas-v1",  # through the shared analysis's inputs
        "pt-fit-v1",
        "pt-hyp-v1",
    }

    # One fixed colour per kind, the same in every graph and in the legend.
    colours: dict[str, set[str]] = {}
    for dag in drawn_dags(page).values():
        for node in dag["nodes"]:
            colours.setdefault(node["kind"], set()).add(node["stroke"])
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)
    for kind, (colour,) in colours.items():
        legend = page.page.locator(f'.legend li[data-kind="{kind}"] .swatch')
        assert legend.evaluate("e => getComputedStyle(e).borderTopColor") == hex_to_rgb(colour)
    assert texts(page, ".legend li[data-kind]", "data-kind") == [
        "MODEL",
        "DATASET",
        "ANALYSIS",
        "HYPOTHESIS",
    ]

    # A click on a node shows its details; Enter on a focused node does too.
    figure = page.page.locator(f'figure.dag[data-model-id="{built.c}"]')
    figure.locator('g.node[data-id="pt-only-c-v1"]').click()
    details = figure.locator(".node-details")
    shown = details.inner_text()
    assert "Data only model C uses" in shown
    assert "pt-only-c-v1" in shown and "pt-only-c @1" in shown and "Dataset" in shown
    assert "(floating)" in shown, "model C floats to pt-only-c"
    assert details.locator('a[href="/models?dataset=pt-only-c-v1"]').count() == 1

    figure.locator('g.node[data-id="pt-hyp-v1"]').focus()
    page.page.keyboard.press("Enter")
    shown = details.inner_text()
    assert "A hypothesis for the test" in shown and "Hypothesis" in shown
    assert "yes, by every compared model" in shown
    figure.locator(f'g.node[data-id="{built.c}"]').focus()
    page.page.keyboard.press("Enter")
    assert details.locator(f'a[href="/models/{built.c}"]').count() == 1
    page.assert_clean()


def test_compare_large_dag_is_complete_and_readable(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    ids = [built.big, built.a]
    data = compare_data(live_server, ids)
    big = data["provenance"]["dags"][0]
    assert len(big["nodes"]) == BULK + 2 == 50
    assert len(big["edges"]) == 2 * BULK + 1

    open_page(page, "/models/compare?ids=" + ",".join(ids))
    assert_dags_match(page, data)
    shown = drawn_dags(page)[built.big]
    # Readable: labels at their full size (12px type), and no two nodes overlap.
    assert min(n["fontPx"] for n in shown["nodes"]) >= 11
    boxes = list(shown["boxes"].values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
            assert not overlap, (a, b)
    # The graph scrolls inside its box instead of stretching the page.
    scroll = page.page.locator(f'figure.dag[data-model-id="{built.big}"] .dag-scroll')
    assert scroll.evaluate("e => e.scrollHeight > e.clientHeight")
    assert page.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    figure = page.page.locator(f'figure.dag[data-model-id="{built.big}"]')
    assert "50 artifacts, 97 links" in figure.locator("figcaption").inner_text()
    figure.scroll_into_view_if_needed()
    save_screenshot(page, "compare-50-nodes.png")

    # Zoom out, back to 100%, and fitted again.
    svg = figure.locator("svg.dag-svg")
    drawn_width = "e => e.getBoundingClientRect().width"
    width = svg.evaluate(drawn_width)
    figure.get_by_role("button", name="Zoom out").click()
    assert svg.evaluate(drawn_width) < width
    figure.get_by_role("button", name="100%").click()
    assert svg.evaluate(drawn_width) == pytest.approx(width, abs=1)
    figure.get_by_role("button", name="Fit", exact=True).click()
    assert svg.evaluate(drawn_width) == pytest.approx(width, abs=1)
    page.assert_clean()


FOCUSED_INSIDE = """(scroll) => {
  const node = document.activeElement;
  const box = scroll.getBoundingClientRect();
  const r = node.getBoundingClientRect();
  return {
    id: node.dataset.nodeId,
    inside: r.left >= box.left - 1 && r.right <= box.left + scroll.clientWidth + 1 &&
      r.top >= box.top - 1 && r.bottom <= box.top + scroll.clientHeight + 1,
    scrolled: scroll.scrollTop,
  };
}"""


def test_dag_keyboard_moves_between_nodes_and_scrolls_them_into_view(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    open_page(page, "/models/compare?ids=" + ",".join([built.big, built.a]))
    figure = page.page.locator(f'figure.dag[data-model-id="{built.big}"]')
    scroll = figure.locator(".dag-scroll")
    # One tab stop per graph: the model itself.
    assert figure.locator('g.node[tabindex="0"]').evaluate_all(
        "els => els.map(e => e.dataset.nodeId)"
    ) == [built.big]
    figure.locator(f'g.node[data-node-id="{built.big}"]').focus()
    page.page.keyboard.press("ArrowLeft")
    assert scroll.evaluate(FOCUSED_INSIDE)["id"] == "pt-bulk-fit-v1"
    page.page.keyboard.press("ArrowLeft")
    first = scroll.evaluate(FOCUSED_INSIDE)
    assert first["id"].startswith("pt-bulk-") and first["inside"], first
    seen = {first["id"]}
    for _ in range(BULK):
        page.page.keyboard.press("ArrowDown")
        now = scroll.evaluate(FOCUSED_INSIDE)
        assert now["inside"], now
        seen.add(now["id"])
    # Down to the last recording: the box scrolled to keep each focused node visible.
    assert now["scrolled"] > 0
    for _ in range(BULK):
        page.page.keyboard.press("ArrowUp")
        now = scroll.evaluate(FOCUSED_INSIDE)
        assert now["inside"], now
        seen.add(now["id"])
    assert len(seen) == BULK
    assert figure.locator('g.node[tabindex="0"]').count() == 1
    page.page.keyboard.press("Enter")
    assert now["id"] in figure.locator(".node-details").inner_text()
    page.assert_clean()


@pytest.mark.parametrize("width", [390, 1366])
def test_dags_open_fitted_to_their_box(
    page: WatchedPage, live_server: LiveServer, built: Built, width: int
) -> None:
    page.page.set_viewport_size({"width": width, "height": 900})
    for ids in (built.abc, ["model-celltype-classifier-v3", "model-celltype-classifier-v4"]):
        open_page(page, "/models/compare?ids=" + ",".join(ids))
        assert_graphs_fit(page, "figure.dag .dag-scroll")
        assert_no_sideways_overflow(page)
    labels = page.page.locator("svg.dag-svg text.node-label").all_text_contents()
    # Whole at 1366 px; at 390 px long lineage ids lose their middle, never their start or end.
    if width > 1000:
        assert "dataset-abc-atlas-merfish @1" in labels
    else:
        assert "abc-atlas-merfish @1" in labels, labels
    save_screenshot(page, f"compare-dags-{width}.png", full_page=True)
    page.assert_clean()


MERGED = """async () => {
  const { renderDag } = await import('/static/dag.js');
  const node = (id, kind) => ({ id, artifact: { id, kind, lineageId: id.replace(/-v1$/, ''),
    versionNumber: 1, title: 'Title of ' + id, isLatest: true } });
  const long = 'dataset-a-very-long-lineage-identifier-for-an-atlas-merfish-v1';
  const dag = {
    nodes: [node('m-a-v1', 'MODEL'), node('m-b-v1', 'MODEL'), node('fit-v1', 'ANALYSIS'),
            node('shared-v1', 'DATASET'), node('some-v1', 'DATASET'), node(long, 'DATASET')],
    edges: [
      { source: 'm-a-v1', target: 'fit-v1', type: 'PRODUCED_BY', pinned: true },
      { source: 'm-b-v1', target: 'fit-v1', type: 'PRODUCED_BY', pinned: true },
      { source: 'm-a-v1', target: 'shared-v1', type: 'TRAINED_ON', pinned: true },
      { source: 'm-b-v1', target: 'shared-v1', type: 'TRAINED_ON', pinned: false },
      { source: 'm-a-v1', target: 'some-v1', type: 'TRAINED_ON', pinned: true },
      { source: 'm-b-v1', target: long, type: 'TRAINED_ON', pinned: true },
    ],
  };
  const sharing = { 'fit-v1': 'all', 'shared-v1': 'all', 'some-v1': 'some', [long]: 'one',
                    'm-a-v1': 'one', 'm-b-v1': 'one' };
  const figure = renderDag(dag, { caption: 'Merged', sharing: (id) => sharing[id] ?? null,
                                  highlight: (id) => id.startsWith('m-') });
  figure.id = 'merged-test';
  document.querySelector('main').prepend(figure);
  figure.revealModel();
}"""


def test_merged_dag_draws_sharing_and_highlights_with_a_legend(
    page: WatchedPage, live_server: LiveServer, built: Built
) -> None:
    page.page.set_viewport_size({"width": 390, "height": 900})
    open_page(page, "/models/compare?ids=" + ",".join(built.abc))
    page.page.evaluate(MERGED)
    merged = page.page.locator("#merged-test")
    by_class = merged.locator("g.node").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.nodeId, e.getAttribute('class')]))"
    )
    assert "dag-node--shared-all" in by_class["fit-v1"]
    assert "dag-node--shared-all" in by_class["shared-v1"]
    assert "dag-node--shared-some" in by_class["some-v1"]
    assert "dag-node--highlight" in by_class["m-a-v1"]
    assert "dag-node--highlight" not in by_class["fit-v1"]
    # Drawn distinctly: a solid outline, a dashed outline, none.
    assert merged.locator('g[data-node-id="shared-v1"] rect.shared-outline').count() == 1
    some = merged.locator('g[data-node-id="some-v1"] rect.some-outline')
    assert some.evaluate("e => getComputedStyle(e).strokeDasharray") not in ("", "none")
    long = "dataset-a-very-long-lineage-identifier-for-an-atlas-merfish-v1"
    plain = merged.locator(f'g[data-node-id="{long}"]')
    assert plain.locator("rect.shared-outline, rect.some-outline").count() == 0
    label = plain.locator("text.node-label").text_content() or ""
    assert "…" in label and label.startswith("a-very") and label.endswith("merfish @1")
    assert long in (plain.locator("title").first.text_content() or "")
    legend = merged.locator(".dag-legend")
    assert texts_in(legend, "li[data-sharing]", "data-sharing") == ["all", "some", "one"]
    assert texts_in(legend, "li[data-edge-type]", "data-edge-type") == [
        "TRAINED_ON",
        "PRODUCED_BY",
    ]
    assert texts_in(legend, "li[data-edge-style]", "data-edge-style") == ["pinned", "floating"]
    assert legend.locator("li[data-highlight]").count() == 1
    assert_graphs_fit(page, "#merged-test .dag-scroll")
    assert_no_sideways_overflow(page)
    merged.locator('g[data-node-id="some-v1"]').click()
    assert "by some compared models" in merged.locator(".node-details").inner_text()
    merged.scroll_into_view_if_needed()
    save_screenshot(page, "merged-dag-390.png")
    page.assert_clean()
