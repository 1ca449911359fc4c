// Newsletter send progress: polls the progress endpoint and updates the bar until the send finishes.
(function () {
  "use strict";
  var box = document.getElementById("send-progress");
  if (!box) { return; }
  var bar = document.getElementById("send-progress-bar");
  var text = document.getElementById("send-progress-text");
  function poll() {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.value = p.percent;
        text.textContent = p.sent + " sent, " + p.failed + " failed, " + p.skipped + " skipped, " +
          (p.queued + p.sending) + " waiting, of " + p.total + "." + (p.stalled ? " No progress for a while: resume?" : "");
        if (p.status === "sending") { setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
