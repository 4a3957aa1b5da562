/* Keyboard access to what scrolls sideways. A table wider than a phone scrolls inside its own
   box (portal.css), and a box that scrolls must be reachable from the keyboard, or its hidden
   columns are out of reach without a mouse (WCAG 2.1.1; axe's scrollable-region-focusable).
   The tables come from the page modules and Dash re-renders them at will, so this marks each
   scroll box as it appears or changes size, and unmarks it when it fits again. */
(function () {
  "use strict";
  var BOXES = "#page .table-responsive, #page table.table, #page div:has(> .ag-root-wrapper)";
  var MARK = "data-scroll-box";
  var queued = false;

  function scrolls(box) {
    var overflow = window.getComputedStyle(box).overflowX;
    return (overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1;
  }

  function mark() {
    queued = false;
    document.querySelectorAll(BOXES).forEach(function (box) {
      if (scrolls(box)) {
        if (!box.hasAttribute(MARK) && !box.hasAttribute("tabindex")) {
          box.setAttribute(MARK, "");
          box.setAttribute("tabindex", "0");
          if (box.tagName !== "TABLE") {
            // A named region, so a screen reader says what the focus stop is.
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", "Table, scrolls sideways");
          }
        }
      } else if (box.hasAttribute(MARK)) {
        ["tabindex", "role", "aria-label", MARK].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  /* What the libraries render with broken ARIA, repaired where it appears:
     - Dash's dropdown puts an aria-hidden input first in the tab order, which hands the focus
       to the dropdown's button: it is named after the dropdown instead of hidden;
     - dbc.Tabs points aria-controls at the panes of tabs not shown, which it does not render:
       the attribute is dropped while its pane is absent (it is optional in ARIA);
     - dcc.Upload's file input has no name: it takes the upload's own text. */
  function nameOf(button) {
    // Pattern-matching ids are JSON (quotes and braces): escaped, or the selector throws.
    var label = button && button.id ? document.querySelector('label[for="' + CSS.escape(button.id) + '"]') : null;
    return (label && label.textContent.trim()) || (button && button.getAttribute("aria-label")) || "Choose";
  }

  function repair() {
    document.querySelectorAll("input.dash-dropdown-focus-target[aria-hidden]").forEach(function (input) {
      input.removeAttribute("aria-hidden");
      input.setAttribute("aria-label", nameOf(input.nextElementSibling));
    });
    document.querySelectorAll('[role="tab"][aria-controls]').forEach(function (tab) {
      if (!document.getElementById(tab.getAttribute("aria-controls"))) {
        tab.removeAttribute("aria-controls");
      }
    });
    document.querySelectorAll('input[type="file"]:not([aria-label])').forEach(function (input) {
      var box = input.parentElement;
      input.setAttribute("aria-label", (box && box.textContent.trim()) || "Choose a file");
    });
  }

  function queue() {
    if (!queued) {
      queued = true;
      window.requestAnimationFrame(function () {
        repair();
        mark();
      });
    }
  }

  new MutationObserver(queue).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("resize", queue);
})();
