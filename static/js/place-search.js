// Place search for the mapping page: an <input data-place-search="/api/v1/locations/"> asks the public
// locations API as the volunteer types and lists the places found; choosing one puts its key in the
// input. data-choice="<select id>" names the select to set to "other" when a place is chosen (and whose
// other answers empty the input). data-navigate="page" goes to the chosen place's page instead; every
// choice is also announced as a "placechosen" event on the input (detail: the place), which the
// explorer listens to. Without JavaScript the input simply takes a key. Texts come from the /jsi18n/
// catalogue (loaded first on every page); place names are the API's.
(function () {
  "use strict";
  var DELAY_MS = 250;
  var PAGE_SIZE = 8;

  function setUp(input, index) {
    var list = document.createElement("ul");
    list.className = "place-results";
    list.id = (input.id || "place-search-" + index) + "-results";
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.insertAdjacentElement("afterend", list);
    var status = document.createElement("p");
    status.className = "help place-status";
    status.setAttribute("aria-live", "polite");
    list.insertAdjacentElement("afterend", status);
    var choice = input.dataset.choice ? document.getElementById(input.dataset.choice) : null;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
    }

    function choose(place) {
      var chosen = new CustomEvent("placechosen", { detail: place, bubbles: true, cancelable: true });
      if (!input.dispatchEvent(chosen)) {  // the listener took the place: clear the search
        input.value = "";
        close();
        input.focus();
        return;
      }
      if (input.dataset.navigate === "page" && place.page) {
        window.location.href = place.page;
        return;
      }
      input.value = place.key;
      status.textContent = interpolate(gettext("Chosen: %(name)s (%(key)s)"), { name: place.name, key: place.key }, true);
      if (choice && choice.querySelector('option[value="other"]')) {
        choice.value = "other";
      }
      close();
      input.focus();
    }

    function show(places, query) {
      list.textContent = "";
      if (!places.length) {
        close();
        status.textContent = interpolate(gettext("No place found for “%(query)s”."), { query: query }, true);
        return;
      }
      places.forEach(function (place) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = place.parent ?
          interpolate(gettext("%(name)s (%(key)s, in %(parent)s)"), { name: place.name, key: place.key, parent: place.parent }, true) :
          interpolate(gettext("%(name)s (%(key)s)"), { name: place.name, key: place.key }, true);
        button.addEventListener("click", function () {
          choose(place);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = interpolate(
        ngettext("%(count)s place found.", "%(count)s places found.", places.length), { count: places.length }, true);
    }

    function search() {
      var query = input.value.trim();
      if (query.length < 2) {
        close();
        status.textContent = "";
        return;
      }
      var ticket = ++asked;
      var url = input.dataset.placeSearch + "?page_size=" + PAGE_SIZE + "&search=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (body) {
          if (ticket === asked) {
            show(body.results || [], query);
          }
        })
        .catch(function () {
          if (ticket === asked) {
            close();
            status.textContent = gettext("The search is not available just now: type the place's key (IT, IT_25...).");
          }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close();
      } else if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        list.querySelector("button").focus();
      }
    });
    list.addEventListener("keydown", function (event) {
      var item = event.target.closest("li");
      if (event.key === "Escape") {
        close();
        input.focus();
      } else if (event.key === "ArrowDown" && item && item.nextElementSibling) {
        event.preventDefault();
        item.nextElementSibling.querySelector("button").focus();
      } else if (event.key === "ArrowUp" && item) {
        event.preventDefault();
        (item.previousElementSibling ? item.previousElementSibling.querySelector("button") : input).focus();
      }
    });
    if (choice) {
      choice.addEventListener("change", function () {
        if (choice.value !== "other" && choice.value !== "") {
          input.value = "";
          status.textContent = "";
          close();
        }
      });
    }
  }

  document.querySelectorAll("input[data-place-search]").forEach(setUp);
})();
