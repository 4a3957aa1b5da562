/* When a page's figures are on screen: the moment a person can read them, marked so it can be
   measured (bench/browser.py reads it; DevTools shows the mark in its timeline).

   A Dash page arrives in steps: the shell, the page's layout, then its callbacks' answers,
   then Plotly drawing each chart. The page counts as drawn at the last change to the DOM
   after which, for QUIET_MS, nothing is pending: no callback in flight (Dash shows
   ._dash-loading-callback while any is), every chart drawn (.main-svg inside each
   .js-plotly-plot) and no grid showing its loading overlay or rows. That moment is
   performance.mark("figures-drawn") and, in milliseconds from the navigation,
   <html data-figures-drawn>; the layout shift summed until then (the Cumulative Layout Shift
   of the load, as Chromium reports it) is <html data-layout-shift>. Both are set once per
   navigation: a dashboard's timers redraw later without moving the mark. */
(function () {
  "use strict";
  var QUIET_MS = 150;
  // The app still starting, a callback in flight, a grid fetching its rows.
  var BUSY = "._dash-loading, ._dash-loading-callback, .ag-overlay-loading-wrapper, .ag-row-loading";
  var root = document.documentElement;
  var start = 0;
  var lastChange = 0;
  var drawn = false;
  var timer = null;
  var shift = 0;

  function pending() {
    if (document.querySelector(BUSY)) {
      return true;
    }
    var page = document.getElementById("page");
    if (!page || !page.firstElementChild) {
      return true;
    }
    var plots = page.querySelectorAll(".js-plotly-plot");
    for (var i = 0; i < plots.length; i += 1) {
      if (!plots[i].querySelector(".main-svg")) {
        return true;
      }
    }
    return false;
  }

  function settle() {
    timer = null;
    if (drawn) {
      return;
    }
    var quietFor = performance.now() - lastChange;
    if (pending() || quietFor < QUIET_MS) {
      timer = window.setTimeout(settle, Math.max(QUIET_MS - quietFor, 20));
      return;
    }
    drawn = true;
    root.setAttribute("data-figures-drawn", String(Math.round(lastChange - start)));
    root.setAttribute("data-layout-shift", shift.toFixed(4));
    try {
      performance.mark("figures-drawn", { startTime: lastChange });
    } catch (ignored) {
      performance.mark("figures-drawn");
    }
  }

  function changed() {
    if (drawn) {
      return;
    }
    lastChange = performance.now();
    if (timer === null) {
      timer = window.setTimeout(settle, QUIET_MS);
    }
  }

  // Only what changes the page's own content counts: the navbar's bell and Dash's
  // loading indicator change every time a timer polls, which would keep moving the mark.
  function touchesPage(record) {
    var page = document.getElementById("page");
    if (!page || page.contains(record.target)) {
      return true;
    }
    for (var i = 0; i < record.addedNodes.length; i += 1) {
      if (record.addedNodes[i].contains && record.addedNodes[i].contains(page)) {
        return true;
      }
    }
    return false;
  }

  function observed(records) {
    for (var i = 0; i < records.length; i += 1) {
      if (touchesPage(records[i])) {
        changed();
        return;
      }
    }
  }

  function navigated() {
    start = performance.now();
    shift = 0;
    drawn = false;
    root.removeAttribute("data-figures-drawn");
    root.removeAttribute("data-layout-shift");
    changed();
  }

  // Dash's links move between pages with pushState; the back button with popstate.
  var push = window.history.pushState;
  window.history.pushState = function () {
    var result = push.apply(this, arguments);
    navigated();
    return result;
  };
  window.addEventListener("popstate", navigated);

  if ("PerformanceObserver" in window && PerformanceObserver.supportedEntryTypes &&
      PerformanceObserver.supportedEntryTypes.indexOf("layout-shift") >= 0) {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (entry) {
        if (!drawn && !entry.hadRecentInput) {
          shift += entry.value;
        }
      });
    }).observe({ type: "layout-shift", buffered: true });
  }

  function watch() {
    new MutationObserver(observed).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      characterData: true,
    });
    changed();
  }

  if (document.body) {
    watch();
  } else {
    document.addEventListener("DOMContentLoaded", watch);
  }
}());
