"""Checks on a rendered page that no screenshot review should have to catch: text spilling
out of its box, and a page wider than the screen."""

from __future__ import annotations

from typing import Any

from selenium import webdriver

# Scroll boxes by design (grids, .table-responsive, charts, open menus, anything with
# overflow-x auto/scroll) may be wider inside than out; visually-hidden text is 1 px wide on
# purpose. Document order puts a box before what is in it.
_OVERFLOW = """
const intended = [
  ".ag-root-wrapper", ".table-responsive", ".js-plotly-plot", "svg", ".dropdown-menu",
  ".visually-hidden", ".visually-hidden-focusable", ".dash-dropdown", "#_dash-global-error-container",
].join(", ");
const root = document.documentElement;
const width = root.clientWidth;
const problems = [];
const describe = (el) => {
  const id = el.id ? "#" + el.id : "";
  const names = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
  const cls = names.filter(Boolean).slice(0, 3).map((n) => "." + n).join("");
  const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 60);
  return `${el.tagName.toLowerCase()}${id}${cls} "${text}"`;
};
if (root.scrollWidth > width + 1) {
  problems.push(`the page is ${root.scrollWidth}px wide in a ${width}px window`);
}
const boxes = [];  // elements that scroll or clip sideways: what is inside them stays inside
const inBox = (el) => el.closest(intended) || boxes.some((b) => b.contains(el));
for (const el of document.querySelectorAll("#react-entry-point *")) {
  if (inBox(el)) continue;
  const style = getComputedStyle(el);
  if (style.display === "none" || style.visibility === "hidden") continue;
  if (style.overflowX !== "visible") boxes.push(el);
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) continue;
  if (box.right > width + 1 || box.left < -1) {
    const span = `${Math.round(box.left)}..${Math.round(box.right)}`;
    problems.push(`sticks out of the window (${span}): ${describe(el)}`);
  }
}
// Text wider than the block it sits in (a number that cannot wrap in a narrow card, say).
const walker = document.createTreeWalker(
  document.getElementById("react-entry-point"), NodeFilter.SHOW_TEXT,
  {acceptNode: (n) => (n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT)},
);
const range = document.createRange();
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  let block = node.parentElement;
  if (!block || inBox(block)) continue;
  const inline = (el) => getComputedStyle(el).display.startsWith("inline");
  while (block.parentElement && inline(block)) block = block.parentElement;
  const outer = block.getBoundingClientRect();
  if (outer.width === 0) continue;
  range.selectNodeContents(node);
  const text = range.getBoundingClientRect();
  if (text.width > 0 && (text.right > outer.right + 1 || text.left < outer.left - 1)) {
    problems.push(`text overflows its box by ${Math.round(text.right - outer.right)}px: ${describe(block)}`);
  }
}
return problems.slice(0, 20);
"""


def overflow_problems(driver: webdriver.Chrome) -> list[str]:
    """Elements whose content is wider than they are (not scroll boxes), or that reach past the
    window's edge, and the page itself being wider than the window."""
    found: Any = driver.execute_script(_OVERFLOW)
    return [str(p) for p in found]


_PLOTLY_SCRIPTS = """
return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /plotly/.test(n));
"""


def charts_drawn_with_the_cartesian_bundle(driver: webdriver.Chrome) -> list[str]:
    """Problems with the page's charts: one that Plotly did not draw (a trace type missing
    from the cartesian bundle draws nothing), or plotly.js loaded other than as that bundle
    (portal/assets/plotly_bundle.js). Empty when all is well; call it once the charts are in."""
    problems = []
    # A trace whose type the bundle lacks gets no module and is not drawn.
    charts = driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot')).map((c) => ["
        "c.parentElement.id || c.id, (c._fullData || []).filter((t) => !t._module).map((t) => t.type),"
        "c.querySelectorAll('.main-svg').length]);"
    )
    for ident, unknown, drawn in charts:
        if unknown or not drawn:
            problems.append(f"chart {ident or '?'}: not drawn, or traces of unknown type {unknown}")
    if not charts:
        problems.append("no chart on the page")
    scripts = [s for s in driver.execute_script(_PLOTLY_SCRIPTS) if "plotly_bundle.js" not in s]
    if not scripts or not all("/assets/vendor/plotly-cartesian-" in s for s in scripts):
        problems.append(f"plotly.js loaded as {scripts}")
    return problems
