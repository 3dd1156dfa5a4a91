/* offline-app.js — the installable app's page side (patients' pages only; no build step).
 *
 * - Registers the service worker (/sw.js, recovery/pwa.py) for the whole site.
 * - Tells it what this page needs offline: its own stylesheets and scripts, and (from Today)
 *   the pages it links to; the worker keeps those on its allow-list (writing forms, flare page).
 * - Sign-out: before the form is sent, every kept page is deleted, and this patient's waiting
 *   and failed items and journal.js's unsent copies too, unless they ticked "keep my unsent
 *   items on this device" (a session that times out keeps them: that is not a choice). A shared
 *   device keeps nothing of theirs. Signing out is never held up for more than 3 seconds.
 */
(function () {
  "use strict";

  var status = document.getElementById("pwa-status");
  if (!status) return;

  function keepList() {
    var urls = [];
    var add = function (url) { if (url && urls.indexOf(url) === -1) urls.push(url); };
    Array.prototype.forEach.call(document.querySelectorAll('link[rel="stylesheet"], link[rel="manifest"], script[src]'), function (el) {
      add(el.href || el.src);
    });
    // Pages only from Today (already kept by the worker as it was shown): elsewhere the
    // static files are enough, and no page load costs the server extra requests.
    if (document.querySelector("[data-local-date]")) {
      // Today itself, when the worker did not see it load (the very first visit).
      if (!navigator.serviceWorker.controller) add(window.location.href);
      // Every link of the page: the worker keeps only its allow-list (the writing forms and
      // the flare page) and ignores the rest.
      Array.prototype.forEach.call(document.querySelectorAll("main a[href]"), function (a) {
        if (a.origin === window.location.origin) add(a.href);
      });
    }
    return urls;
  }

  function tellWorker(message) {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (registration) {
      var worker = registration.active;
      if (!worker) return null;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(); };
        worker.postMessage(message, [channel.port2]);
      });
    });
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      if (navigator.onLine) {
        tellWorker({ type: "keep", urls: keepList() }).then(function () {
          document.documentElement.setAttribute("data-offline-ready", "1");
        });
      }
    }).catch(function () { /* no worker: the site works online as before */ });
  }

  function purge() {
    var work = [];
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf("recovery-pages") === 0; })
          .map(function (name) { return caches.delete(name); }));
      }));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "signed-out" });
    }
    var queue = window.OfflineQueue;
    if (queue && !queue.keepOnSignOut()) {
      work.push(queue.forgetUser(queue.user));
      queue.forgetJournalCopies();
    }
    var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
    return Promise.race([Promise.all(work).catch(function () { return null; }), timeout]);
  }

  var logoutUrl = status.dataset.logoutUrl;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.getAttribute("action") !== logoutUrl || form.dataset.purged) return;
    event.preventDefault();
    form.dataset.purged = "1";
    purge().then(function () { form.submit(); });
  });
})();
