/* The portal's colour theme: "light", "dark" or "auto" (follow the OS setting).

   Loaded from <head> (portal/dash_app.py's index page and the login template) so the theme is
   on <html> before the first paint, with no flash of the wrong colours; Dash lists the file
   again at the end of <body>, hence the guard. A file rather than an inline script: the CSP
   (portal/shell/headers.py) allows only this origin's scripts and Dash's own inline ones.

   Bootstrap 5.3 reads data-bs-theme; AG Grid's themes read data-ag-theme-mode; the plotly
   charts follow through portal.css. The choice lives in localStorage ("auto" = no entry). */
(function () {
  "use strict";
  if (window.portalTheme) {
    return;
  }
  var KEY = "portal-theme";
  var CHOICES = ["light", "dark", "auto"];
  var LABELS = { light: "Light", dark: "Dark", auto: "Auto" };
  var os = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function choice() {
    try {
      var stored = window.localStorage.getItem(KEY);
      return stored === "light" || stored === "dark" ? stored : "auto";
    } catch (e) {
      return "auto"; // storage blocked: follow the OS
    }
  }

  function apply(chosen) {
    var mode = chosen === "auto" ? (os && os.matches ? "dark" : "light") : chosen;
    var root = document.documentElement;
    root.setAttribute("data-bs-theme", mode);
    root.setAttribute("data-ag-theme-mode", mode);
    root.setAttribute("data-theme-choice", chosen);
    return mode;
  }

  function label(chosen) {
    return "Theme: " + LABELS[chosen];
  }

  // A choice made outside the menu (another tab, a script): the menu's label follows.
  function relabel(chosen) {
    var clientside = window.dash_clientside;
    if (clientside && clientside.set_props && document.getElementById("theme-menu")) {
      try {
        clientside.set_props("theme-menu", { label: label(chosen) });
      } catch (e) {
        /* the renderer is not up yet: the menu reads the choice when it is */
      }
    }
  }

  function choose(chosen, fromMenu) {
    if (CHOICES.indexOf(chosen) < 0) {
      chosen = "auto";
    }
    try {
      if (chosen === "auto") {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, chosen);
      }
    } catch (e) {
      /* not remembered, still applied */
    }
    apply(chosen);
    if (!fromMenu) {
      relabel(chosen);
    }
    return chosen;
  }

  if (os) {
    var follow = function () {
      if (choice() === "auto") {
        apply("auto");
      }
    };
    if (os.addEventListener) {
      os.addEventListener("change", follow);
    } else if (os.addListener) {
      os.addListener(follow);
    }
  }
  // Another tab changed the choice.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      apply(choice());
      relabel(choice());
    }
  });

  window.portalTheme = { choice: choice, choose: choose, apply: apply };
  apply(choice());

  /* Client-side callbacks (portal/components/navbar.py registers them): no server round trip
     to open a menu or change colours. */
  var clientside = (window.dash_clientside = window.dash_clientside || {});
  clientside.portal = clientside.portal || {};

  // The phone menu: open/closed, and the toggler's aria-expanded to match.
  clientside.portal.toggleNavbar = function (clicks, isOpen) {
    var open = clicks ? !isOpen : false;
    return [open, open ? "true" : "false"];
  };

  // The theme menu: one of its three items was picked (or the page loaded: show the choice).
  clientside.portal.chooseTheme = function () {
    var context = window.dash_clientside.callback_context;
    var fired = context && context.triggered && context.triggered[0];
    var picked = fired && fired.value ? String(fired.prop_id).split(".")[0] : "";
    var chosen = choice();
    if (picked.indexOf("theme-") === 0) {
      chosen = choose(picked.slice("theme-".length), true);
    }
    return label(chosen);
  };
})();
