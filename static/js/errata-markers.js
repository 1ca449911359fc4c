/* Errata on the location page's charts: a shaded band (with its text as a tooltip) over the dates of
   each erratum of the chart's metric, from the page's #errata-data JSON. charts.js asks every maker in
   window.chartPlugins for a uPlot plugin per chart; this one adds the bands after each redraw. */
(function () {
  "use strict";
  var node = document.getElementById("errata-data");
  if (!node) { return; }
  var errata = JSON.parse(node.textContent);
  if (!errata.length) { return; }
  function toSeconds(iso) { return Date.parse(iso + "T00:00:00Z") / 1000; }

  window.chartPlugins = window.chartPlugins || [];
  window.chartPlugins.push(function (el) {
    var mine = errata.filter(function (e) { return e.metric === el.dataset.chart; });
    if (!mine.length) { return { hooks: {} }; }
    return {
      hooks: {
        draw: function (u) {
          u.over.querySelectorAll(".erratum-marker").forEach(function (old) { old.remove(); });
          var right = u.over.clientWidth;
          mine.forEach(function (e) {
            var left = Math.max(0, u.valToPos(toSeconds(e.start), "x"));
            var end = e.end ? u.valToPos(toSeconds(e.end) + 86400, "x") : right;
            end = Math.min(right, end);
            if (end < 0 || left > right) { return; }
            var band = document.createElement("div");
            band.className = "erratum-marker erratum-" + e.kind.replace(/_/g, "-");
            band.setAttribute("aria-label", e.label);
            band.setAttribute("role", "note");
            // CSSOM, not style attributes: the Content-Security-Policy refuses those in markup.
            band.style.left = left + "px";
            band.style.width = Math.max(3, end - left) + "px";
            var flag = document.createElement("span");  // the band lets the cursor through; its flag has the text
            flag.className = "erratum-flag";
            flag.title = e.label;
            flag.textContent = "!";
            band.appendChild(flag);
            u.over.appendChild(band);
          });
        }
      }
    };
  });
})();
