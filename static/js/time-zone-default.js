/* time-zone-default.js — preselect the browser's time zone in a time zone <select>.
 *
 * The server marks a fresh (unsubmitted) select with data-browser-time-zone; this sets it to
 * Intl's zone when the list has it. The person can still change it, and without JavaScript
 * they choose it themselves. Loaded (deferred) by the invitation and sign-up pages.
 */
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("select[data-browser-time-zone]").forEach(function (select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        return;
      }
    }
  });
})();
