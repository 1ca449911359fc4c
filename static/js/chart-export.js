/* Chart downloads: a uPlot chart as PNG (its canvas, with a title, legend and source line drawn
   around it) or as SVG (the same series redrawn as vector paths with the axes' ticks), each naming
   the release and the licence so that a copied image still says where it comes from. */
(function () {
  "use strict";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var HEADER = 44, LEGEND = 24, FOOTER = 30;

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  function shownSeries(u) {
    return u.series.map(function (s, i) { return [s, i]; }).filter(function (p) { return p[1] > 0 && p[0].show !== false; });
  }

  function colourOf(s) { return typeof s.stroke === "function" ? s.stroke() : s.stroke; }

  function png(u, title, source, name) {
    var ratio = u.ctx.canvas.width / u.width;
    var plot = u.ctx.canvas;
    var out = document.createElement("canvas");
    out.width = plot.width;
    out.height = plot.height + (HEADER + LEGEND + FOOTER) * ratio;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#1b1f23";
    ctx.font = "600 16px " + FONT;
    ctx.fillText(title, 8, 26, u.width - 16);
    var x = 8;
    ctx.font = "13px " + FONT;
    shownSeries(u).forEach(function (pair) {
      ctx.fillStyle = colourOf(pair[0]);
      ctx.fillRect(x, HEADER - 6, 12, 12);
      ctx.fillStyle = "#1b1f23";
      ctx.fillText(pair[0].label, x + 16, HEADER + 5);
      x += ctx.measureText(pair[0].label).width + 32;
    });
    ctx.drawImage(plot, 0, HEADER + LEGEND, u.width, u.height);
    ctx.fillStyle = "#57606a";
    ctx.font = "11px " + FONT;
    ctx.fillText(source, 8, HEADER + LEGEND + u.height + 20, u.width - 16);
    out.toBlob(function (blob) { save(blob, name + ".png"); }, "image/png");
  }

  function escape(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function svgMarkup(u, title, source) {
    var ratio = u.ctx.canvas.width / u.width;
    var left = u.bbox.left / ratio, top = u.bbox.top / ratio, width = u.bbox.width / ratio, height = u.bbox.height / ratio;
    var oy = HEADER + LEGEND;
    var total = u.height + HEADER + LEGEND + FOOTER;
    var parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + u.width + '" height="' + total + '" viewBox="0 0 ' + u.width + " " + total +
      '" font-family="' + escape(FONT) + '">', '<rect width="100%" height="100%" fill="#fff"/>',
      '<title>' + escape(title) + "</title>",
      '<text x="8" y="26" font-size="16" font-weight="600" fill="#1b1f23">' + escape(title) + "</text>"];
    var x = 8;
    shownSeries(u).forEach(function (pair) {
      parts.push('<rect x="' + x + '" y="' + (HEADER - 6) + '" width="12" height="12" fill="' + colourOf(pair[0]) + '"/>');
      parts.push('<text x="' + (x + 16) + '" y="' + (HEADER + 5) + '" font-size="13" fill="#1b1f23">' + escape(pair[0].label) + "</text>");
      x += pair[0].label.length * 7 + 32;
    });
    u.axes.forEach(function (axis, n) {
      var splits = axis._splits || [], values = axis._values || [];
      var scale = n === 0 ? "x" : "y";
      splits.forEach(function (v, i) {
        var pos = u.valToPos(v, scale);
        if (scale === "x") {
          var px = left + pos;
          parts.push('<line x1="' + px + '" x2="' + px + '" y1="' + (oy + top) + '" y2="' + (oy + top + height) + '" stroke="#eaeef2"/>');
          parts.push('<text x="' + px + '" y="' + (oy + top + height + 16) + '" font-size="11" text-anchor="middle" fill="#57606a">' + escape(values[i] || "") + "</text>");
        } else {
          var py = oy + top + pos;
          parts.push('<line x1="' + left + '" x2="' + (left + width) + '" y1="' + py + '" y2="' + py + '" stroke="#eaeef2"/>');
          parts.push('<text x="' + (left - 6) + '" y="' + (py + 4) + '" font-size="11" text-anchor="end" fill="#57606a">' + escape(values[i] || "") + "</text>");
        }
      });
    });
    shownSeries(u).forEach(function (pair) {
      var ys = u.data[pair[1]], xs = u.data[0], d = "", pen = false;
      var min = u.scales.x.min, max = u.scales.x.max;
      for (var i = 0; i < xs.length; i++) {
        var v = ys[i];
        if (v === null || v === undefined || xs[i] < min || xs[i] > max) { pen = false; continue; }
        var px = (left + u.valToPos(xs[i], "x")).toFixed(1), py = (oy + top + u.valToPos(v, "y")).toFixed(1);
        d += (pen ? "L" : "M") + px + " " + py;
        pen = true;
      }
      parts.push('<path d="' + d + '" fill="none" stroke="' + colourOf(pair[0]) + '" stroke-width="2"/>');
    });
    parts.push('<text x="8" y="' + (oy + u.height + 20) + '" font-size="11" fill="#57606a">' + escape(source) + "</text>");
    parts.push("</svg>");
    return parts.join("");
  }

  function svg(u, title, source, name) {
    save(new Blob([svgMarkup(u, title, source)], { type: "image/svg+xml" }), name + ".svg");
  }

  window.ChartExport = { png: png, svg: svg, svgMarkup: svgMarkup };
})();
