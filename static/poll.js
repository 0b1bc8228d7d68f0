// Progressive enhancement of the public poll: fill the hidden position inputs if the
// resident agrees. Without JavaScript, or when refused, the answer is sent as "unknown".
(function () {
  var form = document.getElementById("poll-form");
  var button = document.getElementById("geo-button");
  var status = document.getElementById("geo-status");
  if (!form || !button || !("geolocation" in navigator)) return;
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var asked = false;
  // refused as outside the area: the phone's remembered position is the refused one
  var maxAge = document.querySelector("[data-reason=outside_area]") ? 0 : 300000;
  function ask(then) {
    asked = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      status.textContent = status.dataset.ok;
      if (then) then();
    }, function () {
      status.textContent = status.dataset.refused;
      if (then) then();
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: maxAge });
  }
  button.hidden = false;
  button.addEventListener("click", function () { ask(); });
  form.addEventListener("submit", function (event) {
    if (asked || lat.value) return;
    event.preventDefault();
    ask(function () { form.submit(); });
  });
})();
