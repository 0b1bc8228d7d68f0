// Projector view: refresh the turnout figures every few seconds without reloading the page.
// Without JavaScript, a <noscript> meta refresh reloads the whole page instead.
(function () {
  "use strict";
  var screen = document.querySelector("[data-turnout-url]");
  if (!screen || !window.fetch) { return; }
  var url = screen.getAttribute("data-turnout-url");
  var cast = document.getElementById("cast");
  var expected = document.getElementById("expected");
  var state = document.getElementById("state");
  var PERIOD_MS = 3000;

  function update(data) {
    cast.textContent = String(data.cast);
    expected.textContent = String(data.expected);
    if (state.getAttribute("data-status") !== data.status) {
      window.location.reload();  // opened or closed meanwhile: show the new state's page
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, PERIOD_MS); });
  }
  window.setTimeout(poll, PERIOD_MS);
}());
