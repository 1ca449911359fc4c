// The one progress poller: every element with data-progress-url is polled for JSON while the work
// runs; its <progress> and [data-progress-text] follow, and the page reloads when the work is done.
// It reads a submission's status (progress, message, busy) and a newsletter send's progress
// (percent, status, counts). Optional: data-progress-first and data-progress-every (milliseconds).
// Texts from the /jsi18n/ catalogue (loaded first on every page).
(function () {
  "use strict";
  function percent(data) { return "percent" in data ? data.percent : data.progress; }
  function busy(data) { return "busy" in data ? data.busy : data.status === "sending"; }
  function describe(data) {
    if (!("sent" in data)) { return data.message || data.status_label; }
    var counts = { sent: data.sent, failed: data.failed, skipped: data.skipped, waiting: data.queued + data.sending,
      total: data.total };
    var said = interpolate(gettext("%(sent)s sent, %(failed)s failed, %(skipped)s skipped, %(waiting)s waiting, of %(total)s."),
      counts, true);
    return data.stalled ? interpolate(gettext("%(progress)s No progress for a while: resume?"), { progress: said }, true) : said;
  }
  function watch(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var every = Number(box.getAttribute("data-progress-every")) || 1500;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (bar) { bar.value = percent(data); bar.textContent = percent(data) + "%"; }
          if (text) { text.textContent = describe(data); }
          if (busy(data)) { setTimeout(poll, every); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, Number(box.getAttribute("data-progress-first")) || 1000);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), watch);
})();
