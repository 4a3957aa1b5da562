/* A chart's "Show data" table, built when it is opened (portal/components/charts.py
   chart_with_table). The table arrives as JSON on the disclosure's box, attribute
   data-chart-table: {"caption", "columns", "rows"}, every cell already text. As Dash
   components the tables of one pool page were 570 of its 754 components, and Dash's renderer
   does work for every component on every change of the page, opened or not; built here, a
   table costs nothing until someone asks for it.

   The table is written with textContent only (no markup from the data) and, as before, has
   a caption for screen readers and column headers with scope="col". A callback that redraws
   the chart gives the box new data: an open table is rebuilt from it, a closed one is built
   when next opened. */
(function () {
  "use strict";
  var ATTRIBUTE = "data-chart-table";
  var builtFrom = new WeakMap(); // box -> the JSON its table was built from

  function cell(tag, text, scope) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (scope) {
      node.setAttribute("scope", scope);
    }
    return node;
  }

  function build(box) {
    var spec;
    try {
      spec = JSON.parse(box.getAttribute(ATTRIBUTE) || "null");
    } catch (ignored) {
      spec = null;
    }
    if (!spec) {
      return;
    }
    var table = document.createElement("table");
    table.className = "table table-sm mb-0";
    var caption = cell("caption", spec.caption || "");
    caption.className = "visually-hidden";
    table.appendChild(caption);
    var head = document.createElement("thead");
    var headRow = document.createElement("tr");
    (spec.columns || []).forEach(function (name) {
      headRow.appendChild(cell("th", name, "col"));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = document.createElement("tbody");
    (spec.rows || []).forEach(function (row) {
      var line = document.createElement("tr");
      row.forEach(function (value) {
        line.appendChild(cell("td", value));
      });
      body.appendChild(line);
    });
    table.appendChild(body);
    box.replaceChildren(table);
    builtFrom.set(box, box.getAttribute(ATTRIBUTE));
  }

  function boxOf(details) {
    return details.querySelector("[" + ATTRIBUTE + "]");
  }

  // "toggle" does not bubble: listen in the capture phase, once for every disclosure.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.classList || !details.classList.contains("chart-data") || !details.open) {
        return;
      }
      var box = boxOf(details);
      if (box && builtFrom.get(box) !== box.getAttribute(ATTRIBUTE)) {
        build(box);
      }
    },
    true
  );

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      var details = record.target.closest("details.chart-data");
      if (details && details.open) {
        build(record.target);
      }
    });
  }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: [ATTRIBUTE] });
})();
