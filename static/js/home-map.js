/* Home page world map: the countries of the vendored world-atlas TopoJSON (decoded by topojson-client,
   projected by d3-geo's Equal Earth) coloured by the chosen metric and measure from the page's
   #world-data JSON. The choice is kept in the URL (?map=deaths&measure=per100k). Colours are set as
   SVG presentation attributes (the Content-Security-Policy refuses style attributes in markup). */
(function () {
  "use strict";
  var svg = document.getElementById("world-map");
  var dataNode = document.getElementById("world-data");
  if (!svg || !dataNode || typeof d3 === "undefined" || typeof topojson === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"];
  var NO_DATA = "#e6e8eb";
  var metricSelect = document.getElementById("map-metric");
  var measureSelect = document.getElementById("map-measure");
  var legend = document.getElementById("map-legend");
  var tip = document.getElementById("map-tip");
  // Texts from Django's JavaScript catalogue when the page loads it (English otherwise, looked up at
  // each call: the catalogue may load after this script); numbers in the page's language.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function interpolate(text, values) { return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; }); }
  var LANG = document.documentElement.lang || "en";
  var compact = new Intl.NumberFormat(LANG, { notation: "compact", maximumFractionDigits: 1 });
  var whole = new Intl.NumberFormat(LANG, { maximumFractionDigits: 1 });
  var MEASURES = { total: true, per100k: true, week: true };

  var byNumeric = {};
  data.countries.forEach(function (c) { if (c.numeric) { byNumeric[c.numeric] = c; } });
  var params = new URLSearchParams(window.location.search);
  if (params.get("map")) { metricSelect.value = params.get("map"); }
  if (params.get("measure") && MEASURES[params.get("measure")]) { measureSelect.value = params.get("measure"); }

  function valueOf(country) {
    var v = country && country.values[metricSelect.value];
    return v ? v[measureSelect.value] : null;
  }

  function thresholds(values) {
    var sorted = values.filter(function (v) { return v !== null && v !== undefined && v > 0; }).sort(d3.ascending);
    if (!sorted.length) { return []; }
    var cuts = [];
    for (var i = 1; i < COLOURS.length; i++) { cuts.push(d3.quantileSorted(sorted, i / COLOURS.length)); }
    return cuts;
  }

  function colourFor(value, cuts) {
    if (value === null || value === undefined) { return NO_DATA; }
    return COLOURS[d3.bisectRight(cuts, value)];
  }

  var paths = [];
  function paint() {
    var cuts = thresholds(data.countries.map(valueOf));
    paths.forEach(function (p) { p.setAttribute("fill", colourFor(valueOf(p._country), cuts)); });
    legend.replaceChildren();
    var bounds = [0].concat(cuts);
    COLOURS.forEach(function (colour, i) {
      var item = document.createElement("span");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour;
      item.append(swatch, (i ? "≥ " + compact.format(bounds[i]) : "< " + compact.format(bounds[1] || 0)));
      legend.appendChild(item);
    });
    var metricName = metricSelect.options[metricSelect.selectedIndex].text;
    var label = { total: gettext("World map of %(metric)s, total"), per100k: gettext("World map of %(metric)s, per 100,000 people"),
      week: gettext("World map of %(metric)s, new in the last 7 days") }[measureSelect.value];
    svg.setAttribute("aria-label", interpolate(label, { metric: metricName.toLowerCase() }));
    svg.dataset.state = metricSelect.value + ":" + measureSelect.value;
    var url = new URL(window.location.href);
    url.searchParams.set("map", metricSelect.value);
    url.searchParams.set("measure", measureSelect.value);
    window.history.replaceState(null, "", url);
  }

  function showTip(event, country, name) {
    tip.replaceChildren();
    var title = document.createElement("strong");
    title.textContent = country ? country.name : name;
    tip.appendChild(title);
    tip.appendChild(document.createElement("br"));
    var value = valueOf(country);
    var text = { total: gettext("%(value)s %(metric)s"), per100k: gettext("%(value)s %(metric)s per 100,000 people"),
      week: gettext("%(value)s %(metric)s new in the last 7 days") }[measureSelect.value];
    tip.append(value === null || value === undefined ? gettext("No figure") :
      interpolate(text, { value: whole.format(value), metric: metricSelect.options[metricSelect.selectedIndex].text.toLowerCase() }));
    tip.hidden = false;
    var box = svg.parentNode.getBoundingClientRect();
    var left = event.clientX - box.left, top = event.clientY - box.top;
    tip.style.left = (left > box.width / 2 ? left - tip.offsetWidth - 12 : left + 12) + "px";
    tip.style.top = Math.max(0, top - tip.offsetHeight - 8) + "px";
  }

  fetch(svg.getAttribute("data-topojson"))
    .then(function (response) { return response.json(); })
    .then(function (world) {
      var features = topojson.feature(world, world.objects.countries).features;
      var projection = d3.geoEqualEarth().fitExtent([[4, 4], [956, 496]], { type: "Sphere" });
      var path = d3.geoPath(projection);
      var sphere = document.createElementNS(NS, "path");
      sphere.setAttribute("d", path({ type: "Sphere" }));
      sphere.setAttribute("class", "map-sphere");
      svg.appendChild(sphere);
      features.forEach(function (feature) {
        var country = byNumeric[feature.id];
        var shape = document.createElementNS(NS, "path");
        shape.setAttribute("d", path(feature));
        shape.setAttribute("class", "map-country" + (country ? " has-data" : ""));
        shape._country = country;
        if (country) {
          shape.dataset.key = country.key;
          shape.addEventListener("click", function () { window.location.href = "/data/" + encodeURIComponent(country.key) + "/"; });
        }
        shape.addEventListener("mousemove", function (event) { showTip(event, country, feature.properties.name); });
        shape.addEventListener("mouseleave", function () { tip.hidden = true; });
        svg.appendChild(shape);
        paths.push(shape);
      });
      paint();
      svg.classList.add("map-drawn");
    });

  metricSelect.addEventListener("change", paint);
  measureSelect.addEventListener("change", paint);
})();
