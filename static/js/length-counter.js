/* length-counter.js — a visible counter for fields with a length limit.
 *
 * The server renders `data-maxlength` instead of `maxlength`, because the browser's
 * maxlength silently drops the end of a paste: here nothing is ever cut; past 90% of the
 * limit a counter says how long the text is, and past the limit by how much to shorten it
 * (the server refuses a too-long text with the same message and keeps the words).
 * Loaded (deferred) by the journal form and the stressor inventory. No build step.
 */
(function () {
  "use strict";
  // The sentences come translated from the page, on this script's own tag (data-over,
  // data-near, with {length} {over} {limit} to fill in); English if the tag lacks them.
  var words = (document.currentScript && document.currentScript.dataset) || {};
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function counterFor(input) {
    return document.getElementById(input.id + "-count");
  }

  function update(input) {
    var limit = parseInt(input.dataset.maxlength, 10);
    var counter = counterFor(input);
    if (!limit || !counter) return;
    var length = input.value.length;
    var over = length - limit;
    input.setAttribute("aria-invalid", over > 0 ? "true" : "false");
    counter.classList.toggle("over", over > 0);
    var values = { length: length.toLocaleString(), over: over.toLocaleString(),
                   limit: limit.toLocaleString() };
    if (over > 0) {
      counter.textContent = fill(words.over || "{length} characters: {over} over the limit of " +
        "{limit}. Shorten it to save; nothing has been cut.", values);
    } else if (length > limit * 0.9) {
      counter.textContent = fill(words.near || "{length} of {limit} characters.", values);
    } else {
      counter.textContent = "";
    }
  }

  function inputs() {
    return document.querySelectorAll("input[data-maxlength], textarea[data-maxlength]");
  }

  Array.prototype.forEach.call(inputs(), function (input) {
    if (!input.id || counterFor(input)) return;
    var counter = document.createElement("p");
    counter.id = input.id + "-count";
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", counter);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    update(input);
    input.addEventListener("input", function () {
      update(input);
    });
  });

  // Another script that filled fields (journal.js restoring a device copy) asks for a recount.
  document.addEventListener("counter:refresh", function () {
    Array.prototype.forEach.call(inputs(), update);
  });
})();
