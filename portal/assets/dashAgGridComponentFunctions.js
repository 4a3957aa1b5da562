/* Cell renderers for the portal's AG Grids (no eval: plain functions, loaded as a file). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

/* Shows row[textField] (server-formatted: currency, sign) while the cell's value stays a
   number, so the grid sorts numerically. signed: colour by the value's sign. */
dagcomponentfuncs.Formatted = function (props) {
  var params = props.colDef.cellRendererParams || {};
  var text = props.data ? props.data[params.textField] : "";
  var cls = "num"; /* portal.css: on one line, digits in columns */
  if (params.signed && typeof props.value === "number") {
    cls += props.value > 0 ? " text-success" : props.value < 0 ? " text-danger" : "";
  }
  return React.createElement("span", { className: cls }, text);
};

/* A NAV sparkline: the points of an SVG polyline, computed on the server. */
dagcomponentfuncs.Sparkline = function (props) {
  if (!props.value) {
    return React.createElement("span", { className: "text-body-secondary small" }, "—");
  }
  return React.createElement(
    "svg",
    { width: 120, height: 28, role: "img", "aria-label": "NAV trend" },
    React.createElement("polyline", {
      points: props.value,
      fill: "none",
      stroke: "#0d6efd",
      strokeWidth: 1.5,
    })
  );
};

/* A row's buttons (portal/components/row_actions.py): row.actions lists them, each
   {action, label, title, style}; a press reports {action, id: row.id} as the grid's
   cellRendererData. The server checks who may. */
dagcomponentfuncs.RowActions = function (props) {
  var row = props.data || {};
  var buttons = (row.actions || []).map(function (a, i) {
    return React.createElement(
      "button",
      {
        key: a.action,
        type: "button",
        className: "btn btn-sm " + a.style + (i > 0 ? " ms-1" : ""),
        title: a.title,
        "aria-label": a.title,
        onClick: function () {
          props.setData({ action: a.action, id: row.id });
        },
      },
      a.label
    );
  });
  return React.createElement("span", { className: "text-nowrap" }, buttons);
};
