/* Location page charts: draws each metric's series (from the page's #chart-data JSON) with uPlot.
   One chart for the total, one for daily figures with their 7-day average; hovering shows the date
   and values in a tooltip. Without JavaScript the page still has the tables under each chart. */
(function () {
  "use strict";
  var dataNode = document.getElementById("chart-data");
  if (!dataNode || typeof uPlot === "undefined" || !window.ChartLocale) { return; }
  var payload = JSON.parse(dataNode.textContent);
  var byCode = {};
  payload.series.forEach(function (s) { byCode[s.code] = s; });

  var GREEN = "#0b6e4f", GREEN_FILL = "rgba(11, 110, 79, 0.12)", BAR = "rgba(11, 110, 79, 0.35)", ORANGE = "#c2410c";
  // Texts, numbers and dates in the page's language (chart-locale.js).
  var L = window.ChartLocale, gettext = L.gettext, interpolate = L.interpolate;
  var whole = L.whole, compact = L.compact, dateFormat = L.date;

  function toSeconds(iso) { return Date.parse(iso + "T00:00:00Z") / 1000; }
  function formatValue(v) { return v === null || v === undefined ? "–" : whole.format(v); }

  function tooltipPlugin() {
    var tip;
    return {
      hooks: {
        init: function (u) {
          tip = document.createElement("div");
          tip.className = "chart-tooltip";
          tip.setAttribute("role", "status");
          tip.hidden = true;
          u.over.appendChild(tip);
          u.over.addEventListener("mouseleave", function () { tip.hidden = true; });
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i === null || i === undefined) { tip.hidden = true; return; }
          // Built with DOM calls, not HTML: labels stay text, and the swatch colour is set through
          // CSSOM (the Content-Security-Policy refuses style attributes in markup).
          tip.replaceChildren();
          var date = document.createElement("strong");
          date.textContent = dateFormat.format(new Date(u.data[0][i] * 1000));
          tip.appendChild(date);
          for (var s = 1; s < u.series.length; s++) {
            var swatch = document.createElement("span");
            swatch.className = "swatch";
            swatch.style.background = u.series[s]._colour;
            var value = document.createElement("b");
            value.textContent = formatValue(u.data[s][i]);
            tip.appendChild(document.createElement("br"));
            tip.append(swatch, u.series[s].label + ": ", value);
          }
          tip.hidden = false;
          var left = u.cursor.left, width = u.over.clientWidth;
          tip.style.left = (left > width / 2 ? left - tip.offsetWidth - 12 : left + 12) + "px";
          tip.style.top = Math.max(0, Math.min(u.cursor.top, u.over.clientHeight - tip.offsetHeight)) + "px";
        }
      }
    };
  }

  function line(label, colour, fill, few) {
    return { label: label, stroke: colour, width: 2, fill: fill || undefined, _colour: colour, points: { show: !!few, size: 6 } };
  }

  function bars(label, colour) {
    return { label: label, fill: colour, stroke: colour, width: 0, _colour: colour,
      paths: uPlot.paths.bars({ size: [0.9, 8] }), points: { show: false } };
  }

  function options(el, seriesList) {
    return {
      width: Math.max(280, el.clientWidth),
      height: 240,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      cursor: { y: false, points: { size: 7 } },
      legend: { show: true, live: false },
      scales: { x: { time: true } },
      axes: [
        Object.assign({ stroke: "#57606a", grid: { stroke: "#eaeef2" } }, L.dateAxis),
        { stroke: "#57606a", grid: { stroke: "#eaeef2" }, size: 56,
          values: function (u, splits) { return splits.map(function (v) { return compact.format(v); }); } }
      ],
      fmtDate: L.fmtDate,
      series: [{ label: gettext("Date"), value: function (u, ts) { return ts === null ? "–" : dateFormat.format(new Date(ts * 1000)); } }]
        .concat(seriesList),
      // Other scripts add plugins per chart (errata-markers.js: bands over dates with an erratum).
      plugins: [tooltipPlugin()].concat((window.chartPlugins || []).map(function (make) { return make(el); }))
    };
  }

  // PNG and SVG of each chart (chart-export.js), titled and with the source line and release number.
  function addDownloads(el, chart, s) {
    if (typeof ChartExport === "undefined") { return; }
    var title = el.dataset.view === "daily" ?
      (s.kind === "cumulative" ? gettext("%(metric)s in %(place)s, daily new and 7-day average") : gettext("%(metric)s in %(place)s, daily value and 7-day average")) :
      (s.kind === "cumulative" ? gettext("%(metric)s in %(place)s, cumulative total") : gettext("%(metric)s in %(place)s, reported level"));
    title = interpolate(title, { metric: s.name, place: payload.location });
    var source = interpolate(gettext("Source: %(site)s, release %(release)s (%(licence)s), %(url)s"), { site: document.body.dataset.site,
      release: payload.release, licence: document.body.dataset.licence, url: window.location.origin + window.location.pathname });
    var name = ("covid19_" + payload.location + "_" + s.code + "_" + el.dataset.view).replace(/[^A-Za-z0-9_-]+/g, "-");
    var bar = document.createElement("p");
    bar.className = "chart-downloads";
    [["PNG", ChartExport.png, gettext("Download PNG")], ["SVG", ChartExport.svg, gettext("Download SVG")]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = pair[2];
      button.dataset.format = pair[0].toLowerCase();
      button.addEventListener("click", function () { pair[1](chart, title, source, name); });
      bar.appendChild(button);
    });
    el.insertAdjacentElement("afterend", bar);
  }

  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var s = byCode[el.dataset.chart];
    if (!s || !s.dates.length) { return; }
    var xs = s.dates.map(toSeconds);
    var cumulative = s.kind === "cumulative";
    var chart;
    if (el.dataset.view === "daily") {
      chart = new uPlot(options(el, [bars(cumulative ? gettext("New") : gettext("Value"), BAR), line(gettext("7-day average"), ORANGE, null, xs.length < 40)]),
        [xs, s.daily, s.average], el);
    } else {
      chart = new uPlot(options(el, [line(cumulative ? gettext("Total") : gettext("Value"), GREEN, GREEN_FILL, xs.length < 40)]), [xs, s.values], el);
    }
    el.classList.add("chart-drawn");
    charts.push([el, chart]);
    addDownloads(el, chart, s);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (pair) { pair[1].setSize({ width: Math.max(280, pair[0].clientWidth), height: 240 }); });
    }, 150);
  });
})();
