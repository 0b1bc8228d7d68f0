// Member appraisal ballot: a live count of the members not yet graded. Without JavaScript
// the server counts them and marks the blank rows when the form is sent.
(function () {
  "use strict";
  var form = document.querySelector("form.appraisal");
  var left = document.querySelector("[data-left]");
  if (!form || !left) { return; }
  var rows = form.querySelectorAll("fieldset.member");

  function update() {
    var blank = 0;
    for (var i = 0; i < rows.length; i++) {
      var graded = rows[i].querySelector("input[type=radio]:checked") !== null;
      if (graded) { rows[i].classList.remove("invalid"); } else { blank += 1; }
    }
    left.textContent = String(blank);
  }
  form.addEventListener("change", update);
  // keep.js may put back grades kept on the phone after this runs: count again then.
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("pageshow", update);
  update();
}());
