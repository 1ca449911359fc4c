// Main navigation on narrow screens: collapsed behind a "Menu" button (CSS hides the list below 800 px
// once this script has marked the header). Without JavaScript the list simply wraps.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".nav-toggle");
  if (!toggle) { return; }
  header.classList.add("nav-collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", String(open));
  });
})();
