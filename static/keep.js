// Keep and resend (docs/reliability.md, "A weak signal in the meeting room").
// Every <form data-keep> keeps its answers on this phone as they are given (localStorage,
// keyed by the page's path, nothing else), submits with fetch, and when the network fails
// keeps the very same body -- with its one-time nonce and CSRF token, the idempotency key the
// server binds to the ballot or poll -- and sends it again when the connection is back. The
// server answers a resend of a form it already took with that form's receipt. Whatever the
// server answers is shown as it rendered it. Without JavaScript, the form posts as before.
// The strings come from the page ([data-keep-status] data- attributes). CSP: no inline
// script, no eval.
(function () {
  "use strict";
  // An old WebView without these posts the form itself, as with JavaScript off.
  if (!window.fetch || !window.FormData || !window.DOMParser || !window.history.replaceState ||
      !Element.prototype.closest || !Element.prototype.replaceWith) return;
  var PREFIX = "keep:";
  var MAX_AGE_MS = 2 * 24 * 3600 * 1000; // kept answers older than two days are forgotten
  var TIMEOUT_MS = 30000; // a request hanging on a weak signal counts as a failure
  var BACKOFF_MS = [2000, 4000, 8000, 15000, 30000];
  var GATEWAY = [502, 504]; // the proxy could not reach the service: sent again like a cut
  var GONE = [404, 409, 410]; // the ballot cannot be used here any more: forget its answers
  var SKIP = ["hidden", "submit", "button", "reset", "file", "password", "image"];
  var store = openStorage();
  var pending = null; // {action, body}: the submission the server may or may not have taken
  var inFlight = false;
  var attempt = 0;
  var timer = null;

  function openStorage() {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null; // storage refused: the page still submits and resends, nothing is kept
    }
  }

  function key() { return PREFIX + location.pathname; }

  function read(name) {
    if (!store) return null;
    try {
      var value = JSON.parse(store.getItem(name || key()) || "null");
      return value && typeof value === "object" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function write(record) {
    if (!store) return;
    record.at = Date.now();
    try { store.setItem(key(), JSON.stringify(record)); } catch (e) { /* full: kept in memory */ }
  }

  function forget() { if (store) store.removeItem(key()); }

  function prune() {
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (!name || name.indexOf(PREFIX) !== 0) continue;
      var record = read(name);
      if (!record || !(Date.now() - record.at < MAX_AGE_MS)) store.removeItem(name);
    }
  }

  // ---- the answers --------------------------------------------------------------------
  function keepable(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && SKIP.indexOf(el.type) < 0 && !el.closest("[aria-hidden='true']");
    });
  }

  function collect(form) {
    var fields = {};
    keepable(form).forEach(function (el) {
      var values = fields[el.name] || (fields[el.name] = []);
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) values.push(el.value);
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { values.push(o.value); });
      } else {
        values.push(el.value);
      }
    });
    return fields;
  }

  function restore(form, fields) {
    keepable(form).forEach(function (el) {
      var values = fields[el.name];
      if (!Array.isArray(values)) return;
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values.indexOf(o.value) >= 0;
        });
      } else if (values.length) {
        el.value = values[0];
      }
    });
  }

  function save(form) {
    var record = read() || {};
    record.fields = collect(form);
    write(record);
  }

  function encode(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") {
        pairs.push(encodeURIComponent(name) + "=" + encodeURIComponent(value));
      }
    });
    return pairs.join("&").replace(/%20/g, "+");
  }

  // ---- what the page says ---------------------------------------------------------------
  function say(what) {
    var status = document.querySelector("[data-keep-status]");
    if (!status) return;
    var text = status.getAttribute("data-" + what);
    if (!text) return;
    status.textContent = text;
    status.hidden = false;
  }

  function lock(locked) {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep]"), function (form) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.type === "submit") el.disabled = inFlight;
        else if (el.type !== "hidden") el.disabled = locked;
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-keep-hide-when-resending]"),
      function (el) { el.hidden = locked; });
  }

  // ---- sending ------------------------------------------------------------------------
  function begin(form) {
    if (inFlight) return; // a double tap: one submission in flight
    if (!pending) {
      pending = { action: form.action, body: encode(form) };
      var record = read() || {};
      record.fields = collect(form);
      record.pending = pending;
      write(record);
    }
    attempt = 0;
    say("sending");
    send();
  }

  function send() {
    if (inFlight || !pending) return;
    clearTimeout(timer);
    inFlight = true;
    lock(true);
    var abort = window.AbortController ? new AbortController() : null;
    var deadline = abort && setTimeout(function () { abort.abort(); }, TIMEOUT_MS);
    fetch(pending.action, {
      method: "POST",
      body: pending.body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin",
      redirect: "follow",
      cache: "no-store",
      signal: abort ? abort.signal : undefined
    }).then(function (response) {
      if (transient(response)) return failed("busy");
      return response.text().then(function (html) {
        clearTimeout(deadline);
        answered(response, html);
      }, function () { failed("offline"); });
    }, function () {
      failed("offline");
    }).then(function () { clearTimeout(deadline); });
  }

  // Nothing was recorded and the service will be back by itself: a gateway's refusal, or the
  // service's own 503 with Retry-After (a database outage; a full disk has none and is shown).
  function transient(response) {
    if (GATEWAY.indexOf(response.status) >= 0) return true;
    return response.status === 503 && response.headers.has("Retry-After");
  }

  function failed(kind) {
    inFlight = false;
    lock(true);
    say(kind);
    var delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    attempt += 1;
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }

  function answered(response, html) {
    inFlight = false;
    pending = null;
    clearTimeout(timer);
    var record = read() || {};
    if (response.ok || GONE.indexOf(response.status) >= 0) {
      forget(); // a receipt, or a ballot that is gone: nothing is left on the phone
    } else {
      delete record.pending; // the server refused the form: the answers stay for the next try
      write(record);
    }
    var url = response.redirected ? response.url : null;
    try {
      render(html, url);
    } catch (e) {
      location.replace(url || location.href); // cannot be shown in place: let the browser
    }
  }

  // Shows the server's page in place (the receipt, or the refusal as the server rendered it),
  // under the address it was served from.
  function render(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    if (url) history.replaceState(null, "", url);
    document.title = doc.title;
    var lang = doc.documentElement.getAttribute("lang");
    if (lang) document.documentElement.setAttribute("lang", lang);
    document.body.replaceWith(document.adoptNode(doc.body));
    Array.prototype.forEach.call(document.body.querySelectorAll("script[src]"), function (old) {
      if (/\/keep\.js(\?|$)/.test(old.src)) return;
      var script = document.createElement("script");
      script.src = old.src;
      old.replaceWith(script); // the page's own enhancements run again (poll.js)
    });
    window.scrollTo(0, 0);
    hook();
    var heading = document.querySelector("main h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }

  // ---- hooking the page -----------------------------------------------------------------
  function hook() {
    var record = read();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep]"), function (form) {
      if (form.hasAttribute("data-keep-hooked")) return;
      form.setAttribute("data-keep-hooked", "");
      if (record && record.fields) restore(form, record.fields);
      var keep = function () { if (!pending) save(form); };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
      // another script that submits the form itself (poll.js after asking the position)
      form.submit = function () { begin(form); };
    });
    if (record && record.pending && record.pending.action && !pending) {
      pending = record.pending; // the page was reloaded while a submission was pending
      say("resending");
      send();
    } else if (record && !document.querySelector("form[data-keep]")) {
      forget(); // a refusal with nothing pending (a used card): its answers are of no use
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // listened on the document: a form's own handler that holds the submission back
    // (poll.js asking the position) has already run and said so
    if (!form.matches || !form.matches("form[data-keep]") || event.defaultPrevented) return;
    event.preventDefault();
    begin(form);
  });

  window.addEventListener("online", function () {
    if (pending && !inFlight) {
      attempt = 0;
      send();
    }
  });

  // Loaded in <head> without defer (the "already used" pages): a page reloaded while its
  // submission is pending is hidden until it is hooked, so that the refusal of a ballot
  // this very submission spent never shows; the resend then brings the receipt.
  prune();
  var early = read();
  if (document.readyState === "loading") {
    if (early && early.pending) document.documentElement.hidden = true;
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    try {
      hook();
    } finally {
      document.documentElement.hidden = false;
    }
  }
})();
