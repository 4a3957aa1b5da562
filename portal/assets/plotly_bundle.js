/* Which plotly.js the charts load: the cartesian bundle (scatter, bar, heatmap, pie and the
   rest of the 2-D charts; 1.5 MB) instead of the whole library Dash ships (4.8 MB, with
   3-D, maps and finance charts the portal never draws). The browser compiles the script
   on the first page with a chart: 1.2 s for the whole library against 0.4 s for this one
   on the machine bench/browser.py ran on, and 150 against 60 ms once its code is cached.

   dcc.Graph loads plotly.js from window._dashPlotlyJSURL when the first chart appears, and
   Dash's renderer sets that URL as it mounts; the property below keeps ours. The bundle's
   version is the one the pinned plotly package ships (a test compares them), so figures
   behave as they did. It sits under assets/vendor/, which Dash serves but does not put on
   every page (assets_path_ignore in portal/dash_app.py). */
(function () {
  "use strict";
  var url = "/assets/vendor/plotly-cartesian-4.1.1.min.js";
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () {
      return url;
    },
    set: function () {},
  });
})();
