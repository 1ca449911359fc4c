// Main navigation on narrow screens: collapsed behind a "Menu" button (CSS hides the list below 800 px
// once this script has marked the header). Without JavaScript the list simply wraps.
// The language switcher changes the language as soon as one is picked; without JavaScript, its button does.
(function () {
  "use strict";
  var switcher = document.querySelector(".language-switch");
  if (switcher) {
    var select = switcher.querySelector("select");
    var change = switcher.querySelector("button");
    if (select && change) {
      change.hidden = true;
      select.addEventListener("change", function () { switcher.submit(); });
    }
  }
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
