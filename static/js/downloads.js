/* Downloads page: the filtered download's place finder adds keys to the places field, and "Preview"
   shows the first rows the download will hold (the same query to the public API, as JSON). */
(function () {
  "use strict";
  var form = document.getElementById("filtered-download");
  if (!form) { return; }
  var places = document.getElementById("filtered-places");
  var box = document.getElementById("filtered-preview-box");
  var PREVIEW_ROWS = 10;
  // Texts from Django's JavaScript catalogue when the page loads it (English otherwise).
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function ngettext(one, many, n) { return window.ngettext ? window.ngettext(one, many, n) : (n === 1 ? one : many); }
  function interpolate(text, values) { return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; }); }
  var COLUMNS = ["date", "location", "metric", "value", "source", "release"];

  document.getElementById("filtered-search").addEventListener("placechosen", function (event) {
    event.preventDefault();
    var keys = places.value.split(",").map(function (k) { return k.trim(); }).filter(Boolean);
    if (keys.indexOf(event.detail.key) < 0) { keys.push(event.detail.key); }
    places.value = keys.join(",");
  });

  function cell(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) { node.className = className; }
    return node;
  }

  document.getElementById("filtered-preview").addEventListener("click", function () {
    if (!form.reportValidity()) { return; }
    var params = new URLSearchParams(new FormData(form));
    params.delete("format");
    params.set("page_size", String(PREVIEW_ROWS));
    box.replaceChildren(cell("p", gettext("Loading the first rows…"), "help"));
    fetch(form.dataset.api + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (pair) {
        var ok = pair[0], body = pair[1];
        if (!ok) {
          var errors = body.errors ? Object.keys(body.errors).map(function (k) { return k + ": " + body.errors[k].join(" "); }) : [];
          box.replaceChildren(cell("p", body.detail + (errors.length ? " " + errors.join(" ") : ""), "message message-error"));
          return;
        }
        var rows = body.results || [];
        if (!rows.length) { box.replaceChildren(cell("p", gettext("No values match: the download would be empty."), "message")); return; }
        var table = document.createElement("table");
        table.className = "table table-nowrap";
        table.dataset.testid = "preview";
        var head = document.createElement("tr");
        COLUMNS.forEach(function (c) { head.appendChild(cell("th", c, c === "value" ? "num" : "")); });
        var thead = document.createElement("thead");
        thead.appendChild(head);
        var tbody = document.createElement("tbody");
        rows.forEach(function (row) {
          var tr = document.createElement("tr");
          COLUMNS.forEach(function (c) { tr.appendChild(cell("td", row[c] === null || row[c] === undefined ? "" : String(row[c]), c === "value" ? "num" : "")); });
          tbody.appendChild(tr);
        });
        table.append(thead, tbody);
        var wrap = document.createElement("div");
        wrap.className = "table-wrap";
        wrap.appendChild(table);
        var text = body.next ? ngettext("The first %(count)s row (the download has more).", "The first %(count)s rows (the download has more).", rows.length) :
          ngettext("The first %(count)s row (all of them).", "The first %(count)s rows (all of them).", rows.length);
        var note = cell("p", interpolate(text, { count: rows.length }), "help");
        box.replaceChildren(note, wrap);
      })
      .catch(function () { box.replaceChildren(cell("p", gettext("The preview is not available just now."), "message message-error")); });
  });
})();
