/* Review page: overlays the submitted and the canonical series of the most-changed pairs (uPlot),
   with dots where there are few dates; a pair of only a few dates has its table and no chart.
   Data come from the page's #diff-chart-data JSON; without JavaScript the tables above still tell. */
(function () {
  "use strict";
  var node = document.getElementById("diff-chart-data");
  if (!node || typeof uPlot === "undefined") { return; }
  var pairs = JSON.parse(node.textContent).pairs || [];
  document.querySelectorAll("[data-pair]").forEach(function (el) {
    var pair = pairs[Number(el.getAttribute("data-pair"))];
    if (!pair) { return; }
    var xs = pair.dates.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
    var width = Math.max(280, el.clientWidth || 520);
    new uPlot({
      width: width, height: 240,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      series: [
        {},
        { label: gettext("Canonical"), stroke: "#0b6e4f", width: 2, spanGaps: true, points: { show: xs.length < 40, size: 6 } },
        { label: gettext("Submitted"), stroke: "#c2410c", width: 2, dash: [6, 4], spanGaps: true, points: { show: xs.length < 40, size: 6 } }
      ],
      axes: [{}, { size: 60 }]
    }, [xs, pair.canonical, pair.submitted], el);
  });
})();
