/* The data explorer: several places, one metric, cumulative or daily (7-day average), per 100,000
   people, log scale, a date range with zoom, a table of the same series; the whole state is in the
   URL so any view can be shared. It reads the public API only (/api/v1/metrics/, locations/,
   series/ as CSV) and draws with the vendored uPlot. The embed page runs it without controls.

   Derived figures (daily new, 7-day average, per 100,000 people) come from the API's series/, which
   computes them as the data dictionary defines them (dataset/derived.py): one definition for the
   API, the location pages and this page. */
(function () {
  "use strict";
  var root = document.getElementById("explorer");
  if (!root || typeof uPlot === "undefined" || !window.ChartLocale) { return; }
  var API = root.dataset.api;
  var embed = root.dataset.embed === "1";
  var COLOURS = ["#0b6e4f", "#c2410c", "#1d4ed8", "#a21caf", "#b45309", "#0e7490", "#be123c", "#4d7c0f", "#6d28d9", "#57534e"];
  var MAX_PLACES = 10;
  var DAY = 86400;
  // Texts, numbers and dates in the page's language (chart-locale.js).
  var L = window.ChartLocale, gettext = L.gettext, interpolate = L.interpolate;
  var whole = L.whole, compact = L.compact, dateFormat = L.date;

  var state = readState();
  var metrics = {};      // code -> metric (kind, name)
  var places = {};       // key -> location (name, population)
  var series = {};       // "key|metric" -> {dates: [iso], values: [], average: [], valuePer: [], averagePer: []}
  var chart = null;
  var el = function (id) { return document.getElementById(id); };

  function readState() {
    var p = new URLSearchParams(window.location.search);
    var keys = (p.get("places") || root.dataset.defaultPlaces || "").split(",").filter(Boolean).slice(0, MAX_PLACES);
    return {
      places: keys,
      metric: p.get("metric") || root.dataset.defaultMetric || "confirmed",
      view: p.get("view") === "daily" ? "daily" : "cumulative",
      per: p.get("per") === "100k" ? "100k" : "",
      scale: p.get("scale") === "log" ? "log" : "linear",
      from: p.get("from") || "",
      to: p.get("to") || "",
      tab: p.get("tab") === "table" ? "table" : "chart"
    };
  }

  function query() {
    var p = new URLSearchParams();
    if (state.places.length) { p.set("places", state.places.join(",")); }
    p.set("metric", state.metric);
    if (state.view === "daily") { p.set("view", "daily"); }
    if (state.per) { p.set("per", state.per); }
    if (state.scale === "log") { p.set("scale", "log"); }
    if (state.from) { p.set("from", state.from); }
    if (state.to) { p.set("to", state.to); }
    if (state.tab === "table") { p.set("tab", "table"); }
    return p.toString();
  }

  function writeState() {
    var q = query();
    if (!embed) { window.history.replaceState(null, "", window.location.pathname + "?" + q); }
    root.dataset.state = q;
    var share = el("explorer-share");
    if (share) {
      var embedUrl = window.location.origin + root.dataset.embedUrl + "?" + q;
      share.value = '<iframe src="' + embedUrl + '" width="800" height="520" loading="lazy" title="' + title() + '"></iframe>';
      el("explorer-embed-link").href = embedUrl;
    }
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function loadMetrics() {
    return getJSON(API + "metrics/").then(function (body) {
      (body.results || body).forEach(function (m) { metrics[m.code] = m; });
      var select = el("explorer-metric");
      if (select && !select.options.length) {
        Object.keys(metrics).forEach(function (code) {
          var option = document.createElement("option");
          option.value = code;
          option.textContent = metrics[code].name;
          select.appendChild(option);
        });
      }
    });
  }

  function loadPlaces(keys) {
    var missing = keys.filter(function (k) { return !places[k]; });
    return Promise.all(missing.map(function (key) {
      return getJSON(API + "locations/" + encodeURIComponent(key) + "/").then(function (place) { places[key] = place; })
        .catch(function () { places[key] = { key: key, name: key, population: null, missing: true }; });
    }));
  }

  function emptySeries() { return { dates: [], values: [], average: [], valuePer: [], averagePer: [] }; }
  function number(cell) { return cell === "" || cell === undefined ? null : parseFloat(cell); }

  // series/ CSV: date, location, metric, value, daily_new, daily_new_7day_average, value_per_100k,
  // daily_new_per_100k, daily_new_7day_average_per_100k (empty cells: no figure).
  function parseCSV(text) {
    var lines = text.split("\n");
    var found = {};
    for (var i = 1; i < lines.length; i++) {
      var line = lines[i];
      if (!line) { continue; }
      var cells = line.split(",");
      var id = cells[1] + "|" + cells[2];
      var s = found[id] || (found[id] = emptySeries());
      s.dates.push(cells[0]);
      s.values.push(number(cells[3]));
      s.average.push(number(cells[5]));
      s.valuePer.push(number(cells[6]));
      s.averagePer.push(number(cells[8]));
    }
    return found;
  }

  function loadSeries(keys, metric) {
    var missing = keys.filter(function (k) { return !series[k + "|" + metric] && places[k] && !places[k].missing; });
    if (!missing.length) { return Promise.resolve(); }
    var url = API + "series/?format=csv&metric=" + encodeURIComponent(metric) +
      "&location=" + missing.map(encodeURIComponent).join(",");
    return fetch(url, { headers: { Accept: "text/csv" } }).then(function (r) {
      if (!r.ok) { throw new Error("series: " + r.status); }
      return r.text();
    }).then(function (text) {
      var found = parseCSV(text);
      missing.forEach(function (k) { series[k + "|" + metric] = found[k + "|" + metric] || emptySeries(); });
    });
  }

  function toSeconds(iso) { return Date.parse(iso + "T00:00:00Z") / 1000; }
  function isoOf(seconds) { return new Date(seconds * 1000).toISOString().slice(0, 10); }

  // [x, y1, y2...] aligned on the union of dates, as the view asks (daily average, per 100k, log).
  function frame() {
    var metric = metrics[state.metric] || { kind: "cumulative", name: state.metric };
    var shown = [], notes = [];
    state.places.forEach(function (key) {
      var place = places[key], s = series[key + "|" + state.metric];
      if (!place || place.missing) { notes.push(interpolate(gettext("No place with the key %(key)s."), { key: key })); return; }
      if (!s || !s.dates.length) { notes.push(interpolate(gettext("%(place)s has no %(metric)s figures."), { place: place.name, metric: metric.name.toLowerCase() })); return; }
      if (state.per && !place.population) { notes.push(interpolate(gettext("%(place)s: no population known, so no figure per 100,000."), { place: place.name })); return; }
      var xs = s.dates.map(toSeconds);
      var ys = (state.view === "daily" ? (state.per ? s.averagePer : s.average) : (state.per ? s.valuePer : s.values)).slice();
      if (state.scale === "log") { ys = ys.map(function (v) { return v !== null && v > 0 ? v : null; }); }
      shown.push({ key: key, name: place.name, xs: xs, ys: ys, population: place.population });
    });
    var all = {};
    shown.forEach(function (s) { s.xs.forEach(function (x) { all[x] = true; }); });
    var xs = Object.keys(all).map(Number).sort(function (a, b) { return a - b; });
    var index = {};
    xs.forEach(function (x, i) { index[x] = i; });
    var data = [xs];
    shown.forEach(function (s) {
      var ys = new Array(xs.length).fill(null);
      s.xs.forEach(function (x, i) { ys[index[x]] = s.ys[i]; });
      data.push(ys);
    });
    return { data: data, shown: shown, notes: notes, metric: metric };
  }

  function title() {
    var metric = metrics[state.metric] || { name: state.metric };
    var what = state.view === "daily" ?
      (state.per ? gettext("%(metric)s, daily new (7-day average) per 100,000 people") : gettext("%(metric)s, daily new (7-day average)")) :
      (state.per ? gettext("%(metric)s per 100,000 people") : "%(metric)s");
    what = interpolate(what, { metric: metric.name });
    var names = state.places.map(function (k) { return places[k] ? places[k].name : k; });
    return names.length ? interpolate(gettext("%(what)s: %(places)s"), { what: what, places: names.join(", ") }) : what;
  }

  function sourceLine() {
    return interpolate(gettext("Source: %(site)s, release %(release)s (%(licence)s), %(url)s"), { site: root.dataset.site,
      release: root.dataset.release, licence: root.dataset.licence, url: window.location.origin + root.dataset.explorerUrl + "?" + query() });
  }

  function chartWidth() { return Math.max(280, el("explorer-chart").clientWidth); }
  function chartHeight() { return embed ? Math.max(240, window.innerHeight - 140) : (window.innerWidth < 600 ? 300 : 420); }

  function draw() {
    var f = frame();
    var box = el("explorer-chart");
    var notes = el("explorer-notes");
    notes.replaceChildren();
    f.notes.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; notes.appendChild(li); });
    el("explorer-title").textContent = title();
    if (chart) { chart.destroy(); chart = null; }
    box.classList.remove("chart-drawn");
    if (!f.shown.length) { renderTable(f); writeState(); return; }
    var opts = {
      width: chartWidth(),
      height: chartHeight(),
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      cursor: { y: false, drag: { x: true, y: false, setScale: true } },
      scales: { x: { time: true }, y: state.scale === "log" ? { distr: 3 } : { auto: true } },
      axes: [
        Object.assign({ stroke: "#57606a", grid: { stroke: "#eaeef2" } }, L.dateAxis),
        { stroke: "#57606a", grid: { stroke: "#eaeef2" }, size: 60,
          values: function (u, splits) { return splits.map(function (v) { return v === null ? "" : compact.format(v); }); } }
      ],
      legend: { show: true, live: true },
      fmtDate: L.fmtDate,
      series: [{ label: gettext("Date"), value: function (u, ts) { return ts === null ? "–" : dateFormat.format(new Date(ts * 1000)); } }]
        .concat(f.shown.map(function (s, i) {
          return { label: s.name, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false, points: { show: s.xs.length < 40 },
            value: function (u, v) { return v === null || v === undefined ? "–" : whole.format(v); } };
        })),
      hooks: {
        setScale: [function (u, key) {
          if (key !== "x" || u._settingRange) { return; }
          var min = u.scales.x.min, max = u.scales.x.max, xs = u.data[0];
          var whole = min <= xs[0] && max >= xs[xs.length - 1];
          state.from = whole ? "" : isoOf(Math.ceil(min / DAY) * DAY);
          state.to = whole ? "" : isoOf(Math.floor(max / DAY) * DAY);
          syncControls();
          renderTable(f);
          writeState();
        }]
      }
    };
    chart = new uPlot(opts, f.data, box);
    chart._frame = f;
    applyRange();
    box.classList.add("chart-drawn");
    renderTable(f);
    writeState();
  }

  function applyRange() {
    if (!chart) { return; }
    var xs = chart.data[0];
    if (!xs.length) { return; }
    var min = state.from ? toSeconds(state.from) : xs[0];
    var max = state.to ? toSeconds(state.to) : xs[xs.length - 1];
    if (min >= max) { return; }
    chart._settingRange = true;
    chart.setScale("x", { min: min, max: max });
    chart._settingRange = false;
  }

  function inRange(x) {
    return (!state.from || x >= toSeconds(state.from)) && (!state.to || x <= toSeconds(state.to));
  }

  function renderTable(f) {
    var table = el("explorer-table");
    if (!table) { return; }
    var head = document.createElement("tr");
    [gettext("Date")].concat(f.shown.map(function (s) { return s.name; })).forEach(function (text, i) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      if (i) { th.className = "num"; }
      head.appendChild(th);
    });
    var body = document.createElement("tbody");
    var xs = f.data[0];
    for (var i = xs.length - 1; i >= 0; i--) {
      if (!inRange(xs[i])) { continue; }
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = isoOf(xs[i]);
      tr.appendChild(th);
      for (var s = 1; s < f.data.length; s++) {
        var td = document.createElement("td");
        td.className = "num";
        var v = f.data[s][i];
        td.textContent = v === null || v === undefined ? "–" : whole.format(v);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    var thead = document.createElement("thead");
    thead.appendChild(head);
    table.replaceChildren(thead, body);
  }

  function syncControls() {
    if (embed) { return; }
    el("explorer-metric").value = state.metric;
    el("explorer-view").value = state.view;
    el("explorer-per").checked = state.per === "100k";
    el("explorer-log").checked = state.scale === "log";
    el("explorer-from").value = state.from;
    el("explorer-to").value = state.to;
    var chips = el("explorer-places");
    chips.replaceChildren();
    state.places.forEach(function (key, i) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLOURS[i % COLOURS.length];
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chip-remove";
      button.setAttribute("aria-label", interpolate(gettext("Remove %(place)s"), { place: places[key] ? places[key].name : key }));
      button.textContent = "×";
      button.addEventListener("click", function () {
        state.places = state.places.filter(function (k) { return k !== key; });
        refresh();
      });
      li.dataset.key = key;
      li.append(swatch, (places[key] ? places[key].name : key) + " ", button);
      chips.appendChild(li);
    });
    var tabs = { chart: el("explorer-chart-panel"), table: el("explorer-table-panel") };
    Object.keys(tabs).forEach(function (name) {
      tabs[name].hidden = state.tab !== name;
      el("explorer-tab-" + name).setAttribute("aria-selected", String(state.tab === name));
    });
  }

  function refresh() {
    var status = el("explorer-status");
    status.textContent = gettext("Loading…");
    root.classList.add("loading");
    return loadPlaces(state.places)
      .then(function () { return loadSeries(state.places, state.metric); })
      .then(function () {
        syncControls();
        draw();
        status.textContent = "";
        root.classList.remove("loading");
        root.dataset.ready = "1";
      })
      .catch(function (error) {
        status.textContent = interpolate(gettext("The data could not be loaded (%(error)s)."), { error: error.message });
        root.classList.remove("loading");
      });
  }

  function bindControls() {
    if (embed) { return; }
    el("explorer-metric").addEventListener("change", function (e) { state.metric = e.target.value; refresh(); });
    el("explorer-view").addEventListener("change", function (e) { state.view = e.target.value; refresh(); });
    el("explorer-per").addEventListener("change", function (e) { state.per = e.target.checked ? "100k" : ""; refresh(); });
    el("explorer-log").addEventListener("change", function (e) { state.scale = e.target.checked ? "log" : "linear"; refresh(); });
    ["from", "to"].forEach(function (name) {
      el("explorer-" + name).addEventListener("change", function (e) { state[name] = e.target.value; applyRange(); if (chart) { renderTable(chart._frame); } writeState(); });
    });
    el("explorer-reset").addEventListener("click", function () { state.from = ""; state.to = ""; syncControls(); applyRange(); if (chart) { chart.setScale("x", { min: chart.data[0][0], max: chart.data[0][chart.data[0].length - 1] }); } writeState(); });
    ["chart", "table"].forEach(function (name) {
      el("explorer-tab-" + name).addEventListener("click", function () { state.tab = name; syncControls(); writeState(); if (name === "chart" && chart) { chart.setSize({ width: chartWidth(), height: chartHeight() }); } });
    });
    el("explorer-search").addEventListener("placechosen", function (event) {
      event.preventDefault();
      var place = event.detail;
      places[place.key] = place;
      if (state.places.indexOf(place.key) < 0) {
        if (state.places.length >= MAX_PLACES) { state.places.shift(); }
        state.places.push(place.key);
      }
      refresh();
    });
    el("explorer-png").addEventListener("click", function () { if (chart) { ChartExport.png(chart, title(), sourceLine(), fileName()); } });
    el("explorer-svg").addEventListener("click", function () { if (chart) { ChartExport.svg(chart, title(), sourceLine(), fileName()); } });
  }

  function fileName() {
    return ["covid19", state.metric, state.view, state.per, state.places.join("-")].filter(Boolean).join("_").replace(/[^A-Za-z0-9_-]/g, "");
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { if (chart) { chart.setSize({ width: chartWidth(), height: chartHeight() }); } }, 150);
  });

  window.Explorer = { state: state, chart: function () { return chart; } };
  bindControls();
  loadMetrics().then(refresh).catch(function (error) { el("explorer-status").textContent = interpolate(gettext("The data could not be loaded (%(error)s)."), { error: error.message }); });
})();
