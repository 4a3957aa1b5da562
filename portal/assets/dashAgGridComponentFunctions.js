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

/* A document's buttons: its PDF and, for staff when it went by email, sending it again.
   A press reports {action, document} as the grid's cellRendererData, which the documents
   page's callbacks read (portal/pages/documents.py); the server checks who may. */
dagcomponentfuncs.DocumentActions = function (props) {
  var row = props.data || {};
  function button(action, label, title, cls) {
    return React.createElement(
      "button",
      {
        key: action,
        type: "button",
        className: "btn btn-sm " + cls,
        title: title,
        "aria-label": title,
        onClick: function () {
          props.setData({ action: action, document: row.id });
        },
      },
      label
    );
  }
  var buttons = [button("pdf", "PDF", "Download " + row.reference + ".pdf", "btn-outline-primary")];
  if (row.resend) {
    buttons.push(
      button("resend", "Resend", "Email " + row.reference + " to " + row.investor + " again", "btn-outline-secondary ms-1")
    );
  }
  return React.createElement("span", { className: "text-nowrap" }, buttons);
};
