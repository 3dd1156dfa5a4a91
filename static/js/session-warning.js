// Warns before the idle sign-out (recovery.middleware.SessionTimeoutMiddleware) and offers
// "Stay signed in". No inline script (CSP): settings come from data-* on #session-warning.
// The journal keeps its own device copy of a draft (journal.js), whatever happens here.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var idle = parseInt(box.dataset.idle, 10) * 1000;
  var warn = parseInt(box.dataset.warn, 10) * 1000;
  var url = box.dataset.keepalive;
  var text = box.querySelector("[data-role=text]");
  var button = box.querySelector("button");
  var timer = null;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }
  function schedule() {
    clearTimeout(timer);
    box.hidden = true;
    timer = setTimeout(show, Math.max(idle - warn, 1000));
  }
  function show() {
    box.hidden = false;
    // The words come translated from the page (data-text-*); English if a page lacks them.
    text.textContent = box.dataset.textSoon || ("For your privacy you will be signed out in about " +
      Math.round(warn / 60000) + " minute(s) without activity.");
    button.hidden = false;
    timer = setTimeout(expired, warn);
  }
  function expired() {
    box.hidden = false;
    button.hidden = true;
    text.textContent = box.dataset.textExpired || ("You have been signed out because of inactivity. " +
      "Sign in again to continue; anything your journal kept on this device is still there.");
  }
  button.addEventListener("click", function () {
    fetch(url, { method: "POST", credentials: "same-origin",
                 headers: { "X-CSRFToken": csrfToken() } })
      .then(function (r) { if (r.status === 204) { schedule(); } else { expired(); } })
      .catch(function () {
        text.textContent = box.dataset.textOffline || "No connection: try again in a moment.";
      });
  });
  // Any htmx request counts as activity on the server: restart the clock here too.
  document.body.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
