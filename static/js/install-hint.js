/* install-hint.js — "Add to home screen", offered once (patients' pages; no build step).
 *
 * Where the browser supports it (beforeinstallprompt), its own install prompt is kept and
 * offered from the hint's button; on iPhone and iPad Safari (no such event) the hint says
 * where the Share menu's "Add to Home Screen" is. Dismissed, accepted or installed: never
 * shown again on this device (localStorage). Never shown inside the installed app.
 */
(function () {
  "use strict";

  var KEY = "recovery-install-hint";
  var hint = document.getElementById("install-hint");
  if (!hint) return;

  function remembered() {
    try { return !!window.localStorage.getItem(KEY); } catch (e) { return true; }
  }
  function remember(value) {
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode */ }
  }
  var standalone = (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) ||
    window.navigator.standalone === true;
  if (standalone || remembered()) return;

  var deferred = null;
  var installButton = hint.querySelector('[data-role="install"]');

  function close(value) {
    remember(value);
    hint.hidden = true;
  }

  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault(); // the browser's own banner would be a second, unexplained one
    deferred = event;
    installButton.hidden = false;
    hint.hidden = false;
  });

  installButton.addEventListener("click", function () {
    if (!deferred) return;
    deferred.prompt();
    deferred.userChoice.then(function (choice) {
      close(choice && choice.outcome === "accepted" ? "installed" : "dismissed");
    }, function () { close("dismissed"); });
    deferred = null;
  });

  hint.querySelector('[data-role="dismiss"]').addEventListener("click", function () {
    close("dismissed");
  });

  window.addEventListener("appinstalled", function () { close("installed"); });

  var ios = /iphone|ipad|ipod/i.test(window.navigator.userAgent) ||
    (window.navigator.platform === "MacIntel" && window.navigator.maxTouchPoints > 1);
  if (ios) {
    hint.querySelector('[data-role="prompt"]').hidden = false;
    hint.querySelector('[data-role="ios"]').hidden = false;
    hint.hidden = false;
  }
})();
