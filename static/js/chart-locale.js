/* Charts in the page's language, for explorer.js, charts.js and their PNG/SVG copies: texts from
   Django's JavaScript catalogue (/jsi18n/) when the page loads it (English otherwise), numbers and
   dates formatted for <html lang>, and uPlot's month and weekday names for the date axis. English
   pages keep their day-month-year dates; data (files, the API, URLs) stay ISO. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var names = null;

  // Looked up at each call: the catalogue may load after this script.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }

  // Django's interpolate(text, values, true), with or without the catalogue.
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  }

  function dateNames() {
    if (names) { return names; }
    names = { MMMM: [], MMM: [], WWWW: [], WWW: [] };
    for (var m = 0; m < 12; m++) {
      var month = new Date(Date.UTC(2021, m, 1));
      names.MMMM.push(month.toLocaleDateString(lang, { month: "long", timeZone: "UTC" }));
      names.MMM.push(month.toLocaleDateString(lang, { month: "short", timeZone: "UTC" }));
    }
    for (var d = 0; d < 7; d++) {  // 3 January 2021 was a Sunday, uPlot's first weekday
      var day = new Date(Date.UTC(2021, 0, 3 + d));
      names.WWWW.push(day.toLocaleDateString(lang, { weekday: "long", timeZone: "UTC" }));
      names.WWW.push(day.toLocaleDateString(lang, { weekday: "short", timeZone: "UTC" }));
    }
    return names;
  }

  // The date axis's tick labels on other pages than English ones (uPlot's own follow English order,
  // month/day): day and month, or the month, or the year, as the ticks' spacing asks; the year under
  // the first tick and under each tick where it changes.
  function dateTicks(u, splits, axisIndex, space, increment) {
    var year = null;
    return splits.map(function (seconds) {
      var date = new Date(seconds * 1000), ofYear = date.getUTCFullYear();
      var parts = increment >= 365 * 86400 ? { year: "numeric" } : increment >= 28 * 86400 ? { month: "short" } : { day: "numeric", month: "short" };
      var text = date.toLocaleDateString(lang, Object.assign({ timeZone: "UTC" }, parts));
      if (ofYear !== year && !parts.year) { text += "\n" + ofYear; }
      year = ofYear;
      return text;
    });
  }

  window.ChartLocale = {
    lang: lang,
    gettext: gettext,
    interpolate: interpolate,
    whole: new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }),
    compact: new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 }),
    date: new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }),
    // uPlot's fmtDate option: its own English names on English pages, the page's language otherwise.
    fmtDate: lang === "en" ? undefined : function (template) { return uPlot.fmtDate(template, dateNames()); },
    // Options to add to the date axis: none on English pages.
    dateAxis: lang === "en" ? {} : { values: dateTicks, space: 64 }
  };
})();
