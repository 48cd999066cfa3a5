"""Layout checks every page test shares: no sideways scroll, graphs fitted, charts drawn.

Each check returns what it found, so a failing assertion names the culprit, and the page
fixture of :mod:`tests.browser` saves a screenshot of any test that fails.
"""

from __future__ import annotations

from typing import Any

from tests.browser import WatchedPage

# The page's own width against the viewport, and the widest elements that stick out.
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    let inside = false;  // clipped by a scrolling or hidden-overflow ancestor: not the page's
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== 'visible') { inside = true; break; }
    }
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    if (!inside) wide.push(`${name}: right ${Math.round(r.right)}`);
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""

# Every node of every graph inside the graph's visible box.
_GRAPH_JS = """(selector) => {
  const out = [];
  for (const graph of document.querySelectorAll(selector)) {
    const box = graph.getBoundingClientRect();
    const nodes = graph.querySelectorAll('[data-node-id]');
    for (const node of nodes) {
      const r = node.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 ||
          r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        const span = (q) => `${Math.round(q.left)}..${Math.round(q.right)} x ` +
          `${Math.round(q.top)}..${Math.round(q.bottom)}`;
        out.push(`${node.getAttribute('data-node-id')}: ${span(r)} outside ${span(box)}`);
      }
    }
    if (!nodes.length) out.push(`${selector}: a graph without nodes`);
  }
  return out;
}"""

_CHART_JS = """(selector) => [...document.querySelectorAll(selector)].map((chart) => {
  const svg = chart.querySelector('svg');
  const canvas = chart.querySelector('canvas');
  return {
    marks: svg ? svg.querySelectorAll('path, rect, circle, polyline, line').length : 0,
    canvas: canvas ? canvas.width * canvas.height : 0,
    width: chart.getBoundingClientRect().width,
  };
})"""


def sideways_overflow(page: WatchedPage) -> dict[str, Any] | None:
    """None when the document does not scroll sideways; else its width and the culprits."""
    found: dict[str, Any] = page.page.evaluate(_OVERFLOW_JS)
    return found if found["scroll"] > found["width"] else None


def assert_no_sideways_overflow(page: WatchedPage) -> None:
    found = sideways_overflow(page)
    assert found is None, f"the page scrolls sideways: {found}"


def nodes_outside(page: WatchedPage, selector: str) -> list[str]:
    """Graph nodes (``[data-node-id]``) outside the visible box of their ``selector`` graph."""
    found: list[str] = page.page.evaluate(_GRAPH_JS, selector)
    return found


def assert_graphs_fit(page: WatchedPage, selector: str) -> None:
    outside = nodes_outside(page, selector)
    assert not outside, f"graph nodes outside their box: {outside}"


def assert_charts_drawn(page: WatchedPage, selector: str, *, at_least: int = 1) -> None:
    """Each chart matching ``selector`` drew marks into its SVG (or pixels into a canvas)."""
    charts: list[dict[str, Any]] = page.page.evaluate(_CHART_JS, selector)
    assert len(charts) >= at_least, f"{len(charts)} charts match {selector!r}"
    empty = [c for c in charts if (c["marks"] < 2 and c["canvas"] == 0) or c["width"] == 0]
    assert not empty, f"charts not drawn: {empty} of {charts}"
