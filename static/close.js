// The close page: a scrutineer card's QR code opens this page with its code in the
// address's fragment (#…), which no server or log ever sees. Put it in the first empty
// code input, then take it out of the address bar and the history.
(function () {
  var code = decodeURIComponent(window.location.hash.slice(1));
  if (!code) return;
  var inputs = document.querySelectorAll("input[data-scrutineer-code]");
  for (var i = 0; i < inputs.length; i++) {
    if (!inputs[i].value) { inputs[i].value = code; break; }
  }
  history.replaceState(null, "", window.location.pathname + window.location.search);
})();
