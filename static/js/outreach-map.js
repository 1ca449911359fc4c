// Coverage map: decodes the vendored world-atlas TopoJSON and draws an SVG coloured by status. No library.
(function () {
  "use strict";
  var svg = document.getElementById("coverage-map");
  var dataNode = document.getElementById("coverage-data");
  if (!svg || !dataNode) { return; }
  var byNumeric = JSON.parse(dataNode.textContent);
  // Colours come from the page's CSS (class cov-<status>), labels from the data: one definition of each.
  var SCALE = 960 / 360, TOP = 84, BOTTOM = -58;
  var tip = document.getElementById("coverage-tip");
  var NS = "http://www.w3.org/2000/svg";

  function decodeArcs(topology) {
    var t = topology.transform, sx = t.scale[0], sy = t.scale[1], tx = t.translate[0], ty = t.translate[1];
    return topology.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (p) { x += p[0]; y += p[1]; return [x * sx + tx, y * sy + ty]; });
    });
  }

  function ring(indexes, arcs) {
    var points = [];
    indexes.forEach(function (i, n) {
      var arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      points = points.concat(n ? arc.slice(1) : arc);
    });
    return points;
  }

  // A ring that crosses the antimeridian (Russia's far east, Fiji) is moved east as a whole, so it is
  // cut off at the map's edge instead of being drawn as a band across the world.
  function unwrap(points) {
    var crosses = points.some(function (p, n) { return n && Math.abs(p[0] - points[n - 1][0]) > 180; });
    return crosses ? points.map(function (p) { return [p[0] < 0 ? p[0] + 360 : p[0], p[1]]; }) : points;
  }

  function pathFor(geometry, arcs) {
    var polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.type === "MultiPolygon" ? geometry.arcs : [];
    var d = "";
    polygons.forEach(function (polygon) {
      polygon.forEach(function (r) {
        unwrap(ring(r, arcs)).forEach(function (p, n) {
          var lat = Math.max(BOTTOM, Math.min(TOP, p[1]));
          d += (n ? "L" : "M") + ((p[0] + 180) * SCALE).toFixed(1) + "," + ((TOP - lat) * SCALE).toFixed(1);
        });
        d += "Z";
      });
    });
    return d;
  }

  function showTip(event, text) {
    var box = svg.parentNode.getBoundingClientRect();
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = (event.clientX - box.left + 12) + "px";
    tip.style.top = (event.clientY - box.top + 12) + "px";
  }

  fetch(svg.getAttribute("data-topojson"))
    .then(function (response) { return response.json(); })
    .then(function (topology) {
      var arcs = decodeArcs(topology);
      svg.setAttribute("viewBox", "0 0 960 " + Math.round((TOP - BOTTOM) * SCALE));
      topology.objects.countries.geometries.forEach(function (geometry) {
        if (geometry.id === "010") { return; }  // Antarctica: below the map's edge
        var info = byNumeric[geometry.id];
        var path = document.createElementNS(NS, "path");
        path.setAttribute("d", pathFor(geometry, arcs));
        path.setAttribute("class", "cov-" + (info ? info.s : "unknown"));
        var name = info ? info.n : (geometry.properties && geometry.properties.name) || "";
        var label = name + (info ? ": " + info.l : "");
        path.setAttribute("aria-label", label);
        if (info) { path.setAttribute("data-status", info.s); path.setAttribute("data-key", info.k); }
        path.addEventListener("mousemove", function (e) { showTip(e, label); });
        path.addEventListener("mouseleave", function () { tip.style.display = "none"; });
        path.addEventListener("click", function () {
          var row = info && document.getElementById("cov-" + info.k);
          if (row) { row.scrollIntoView({ behavior: "smooth", block: "center" }); row.style.background = "#fff8c5"; }
        });
        svg.appendChild(path);
      });
      svg.setAttribute("data-ready", "1");
    })
    .catch(function () {
      var note = document.createElement("p");
      note.textContent = gettext("The map could not be loaded; the table below has the same information.");
      svg.parentNode.appendChild(note);
    });
})();
