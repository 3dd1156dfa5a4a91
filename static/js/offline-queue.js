/* offline-queue.js — what a patient does offline is kept on the device and sent, in order,
 * exactly once, when the connection is back. No build step; loaded on patients' pages.
 *
 * The device's store: offline-store.js (IndexedDB). Forms opt in with data-offline="checkin" | "done" | "journal" | "release" and
 * data-offline-url (the JSON replay endpoint, journaling/views/offline.py). Offline (or when
 * an htmx request cannot reach the server), the form's fields are put in IndexedDB with the
 * local date of the Today page the patient was looking at (data-local-date) and the signed-in
 * patient's id; an item for the same thing (this day's check-in, this exercise today, this
 * journal entry's client_id) replaces the waiting one in its place.
 *
 * Replay: the oldest first, one at a time (one tab at a time, with Web Locks). The server's
 * idempotency makes a replay whose answer was lost harmless. 200 {"saved": true}: done.
 * 400/404/409 with an "error": refused; moved to the "failed" list with the server's reason,
 * shown until the patient dismisses it. Signed out, a server error or no connection: the
 * item stays, and the replay stops (later items must not overtake it).
 *
 * Write-and-release is never queued: its words are not kept anywhere.
 */
(function () {
  "use strict";

  var status = document.getElementById("pwa-status");
  if (!status || !window.indexedDB || !window.OfflineStore) return;
  var USER = status.dataset.user;
  var RETRY_MS = 30000;
  var flushing = false;

  function t(name, values) {
    var text = status.getAttribute("data-t-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  var store = window.OfflineStore;
  function all(name) { return store.all(name, USER); }
  var put = store.put;
  var remove = store.remove;
  var moveToFailed = store.moveToFailed;
  var forgetUser = store.forgetUser;

  // ---- what a form becomes in the queue -----------------------------------------------------

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function localDate() {
    var el = document.querySelector("[data-local-date]");
    return el ? el.getAttribute("data-local-date") : "";
  }

  function fieldsOf(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "action") out.push([name, String(value)]);
    });
    return out;
  }

  function field(fields, name) {
    for (var i = 0; i < fields.length; i++) if (fields[i][0] === name) return fields[i][1];
    return "";
  }

  function itemFor(form) {
    var kind = form.dataset.offline;
    var fields = fieldsOf(form);
    var day = localDate();
    var item = { id: uuid(), user: USER, kind: kind, url: form.dataset.offlineUrl, created: Date.now(), day: day };
    if (kind === "checkin") {
      fields.push(["local_date", day]);
      item.key = "checkin:" + day;
      item.label = t("checkin", { day: form.dataset.offlineDay || day });
    } else if (kind === "done") {
      fields.push(["local_date", day]);
      item.key = "done:" + form.dataset.offlineExercise + ":" + day;
      item.label = t("done", { title: form.dataset.offlineTitle || "" });
    } else {
      var title = field(fields, "title") || field(fields, "recipient");
      item.key = "journal:" + field(fields, "client_id");
      item.label = title ? t("journal", { title: title }) : t("journal-untitled");
    }
    item.fields = fields;
    return item;
  }

  function note(form, text, key) {
    var el = form.querySelector("[data-offline-note]");
    if (!el) {
      el = document.createElement("p");
      el.className = "message warning";
      el.setAttribute("data-offline-note", "");
      el.setAttribute("role", "status");
      // Next to the button that was pressed, where the patient is looking.
      var button = form.querySelector("button[type=submit], button:not([type])");
      var anchor = form.querySelector(".actions") || (button && button.parentNode !== form ? button.parentNode : button);
      if (anchor) anchor.parentNode.insertBefore(el, anchor.nextSibling);
      else form.appendChild(el);
    }
    el.className = "message warning";
    el.textContent = text;
    if (key) el.setAttribute("data-offline-note", key);
  }

  // The form's note follows its item: "sent", or "not sent" and why (also in the banner).
  function settle(item, outcome, reason) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-note]"), function (el) {
      if (el.getAttribute("data-offline-note") !== item.key) return;
      el.className = outcome === "saved" ? "message" : "message error";
      el.textContent = outcome === "saved" ? t("sent") : t("not-sent", { why: reason });
    });
  }

  function queueForm(form) {
    var item = itemFor(form);
    return put(item).then(function () {
      note(form, t("queued"), item.key);
      refresh();
      if (navigator.onLine) flushSoon(RETRY_MS);
    });
  }

  function release(form) {
    // Nothing is queued and nothing kept: the words leave the page and the device.
    var entry = document.getElementById("entry-form");
    if (entry) {
      entry.reset();
      Array.prototype.forEach.call(entry.querySelectorAll("textarea, input[type=text]"), function (el) { el.value = ""; });
    }
    note(form, t("released"));
  }

  // Capture phase on document: runs before htmx and journal.js see the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.dataset || !form.dataset.offline || navigator.onLine) return;
    var submitter = event.submitter;
    event.preventDefault();
    event.stopPropagation();
    if (form.dataset.offline === "release") release(form);
    else if (form.dataset.offline === "journal" && submitter && submitter.value && submitter.value !== "save") {
      // "Save draft" or "Compare": journal.js keeps the words here and autosaves them later.
      note(form, t("queued"));
    }
    else queueForm(form);
  }, true);

  // "Online" but the request could not get through (a dead connection): keep it all the same.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.closest) form = form.closest("form[data-offline]");
    if (form && (form.dataset.offline === "checkin" || form.dataset.offline === "done")) queueForm(form);
  });

  // A page shown from the worker's kept copy: a new-entry form's ids were made for another
  // visit. Fresh ones keep two entries written offline from two entries apart.
  if (document.body.dataset.offlineCopy === "1") {
    var entry = document.querySelector('form[data-offline="journal"][data-new="1"]');
    if (entry && entry.elements.client_id) {
      var id = uuid();
      entry.elements.client_id.value = id;
      if (entry.elements.editor_id) entry.elements.editor_id.value = uuid();
      var releaseForm = document.getElementById("release-form");
      if (releaseForm && releaseForm.elements.client_id) releaseForm.elements.client_id.value = id;
    }
  }

  // A kept Today page from an earlier day (opened offline the next morning): say so before
  // the patient marks anything, rather than only when the server refuses it.
  (function staleToday() {
    var marker = document.querySelector("[data-local-date][data-time-zone]");
    if (!marker || document.body.dataset.offlineCopy !== "1") return;
    var now;
    try {
      now = new Intl.DateTimeFormat("en-CA", {
        timeZone: marker.getAttribute("data-time-zone"), year: "numeric", month: "2-digit", day: "2-digit",
      }).format(new Date());
    } catch (e) {
      return;
    }
    var day = marker.getAttribute("data-local-date");
    if (now === day) return;
    var warning = document.createElement("p");
    warning.className = "message warning";
    warning.setAttribute("role", "status");
    warning.textContent = t("stale", { day: marker.getAttribute("data-day-label") || day });
    marker.parentNode.insertBefore(warning, marker.nextSibling);
  })();

  // ---- replay -----------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // journal.js keeps its own copy until it sees the entry saved; the replay just did.
  function forgetJournalCopy(item) {
    var clientId = field(item.fields, "client_id");
    try {
      localStorage.removeItem("journal-draft:" + clientId);
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf("journal-new:") === 0 && localStorage.getItem(key) === clientId) localStorage.removeItem(key);
      }
    } catch (e) { /* storage disabled */ }
  }

  // journal.js's copies of words not confirmed saved yet ("journal-draft:<client id>").
  function journalCopies() {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && (key.indexOf("journal-draft:") === 0 || key.indexOf("journal-new:") === 0)) keys.push(key);
      }
    } catch (e) { /* storage disabled */ }
    return keys;
  }

  function forgetJournalCopies() {
    journalCopies().forEach(function (key) {
      try { localStorage.removeItem(key); } catch (e) { /* storage disabled */ }
    });
  }

  // One item: "saved", "refused" (moved to failed), or "wait" (stop, try later).
  function send(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    var token = csrfToken();
    data.append("csrfmiddlewaretoken", token);
    return fetch(item.url, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) return { status: response.status, body: {} };
      return response.json().then(function (body) {
        return { status: response.status, body: body || {} };
      }, function () { return { status: response.status, body: {} }; });
    }).then(function (result) {
      if (result.status === 200 && result.body.saved === true) {
        if (item.kind === "journal") forgetJournalCopy(item);
        settle(item, "saved");
        return remove("queue", item.seq).then(function () { return "saved"; });
      }
      if (result.status === 401 || result.status === 403 || result.status === 0) {
        status.dataset.signedOut = "1";
        return "wait";
      }
      if ([400, 404, 409, 422].indexOf(result.status) !== -1 && result.body.error) {
        settle(item, "refused", result.body.error);
        return moveToFailed(item, result.body.error).then(function () { return "refused"; });
      }
      return "wait";
    }, function () { return "wait"; });
  }

  function flushAll() {
    return all("queue").then(function (items) {
      items.sort(function (a, b) { return a.seq - b.seq; });
      var chain = Promise.resolve("saved");
      var sentAny = false;
      items.forEach(function (item) {
        chain = chain.then(function (last) {
          if (last === "wait") return "wait";
          return send(item).then(function (outcome) {
            if (outcome !== "wait") sentAny = true;
            return outcome;
          });
        });
      });
      return chain.then(function (last) {
        if (last !== "wait") delete status.dataset.signedOut;
        return { sentAny: sentAny, waiting: last === "wait" };
      });
    });
  }

  var retryTimer = null;
  function flushSoon(delay) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, delay || 0);
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    var run = navigator.locks && navigator.locks.request
      ? navigator.locks.request("recovery-offline-queue", flushAll)
      : flushAll();
    return run.then(function (outcome) {
      flushing = false;
      refresh();
      if (outcome && outcome.waiting) flushSoon(RETRY_MS);
      document.dispatchEvent(new CustomEvent("offline-queue:flushed", { detail: outcome }));
    }, function () {
      flushing = false;
      flushSoon(RETRY_MS);
    });
  }

  // ---- what the patient sees --------------------------------------------------------------

  function part(role) { return status.querySelector('[data-role="' + role + '"]'); }

  function renderFailed(failed) {
    var box = part("failed");
    var list = part("failed-list");
    box.hidden = !failed.length;
    var count = part("failed-count");
    // An alert only when there is something to say (an empty alert on every page is noise).
    if (failed.length) count.setAttribute("role", "alert");
    else count.removeAttribute("role");
    count.textContent = failed.length ? t("failed", { count: failed.length }) : "";
    list.textContent = "";
    failed.forEach(function (item) {
      var li = document.createElement("li");
      var what = document.createElement("strong");
      what.textContent = item.label + ": ";
      li.appendChild(what);
      li.appendChild(document.createTextNode(item.error || t("unknown")));
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = t("dismiss");
      button.setAttribute("aria-label", t("dismiss") + ": " + item.label);
      button.addEventListener("click", function () {
        remove("failed", item.seq).then(refresh);
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function refresh() {
    return Promise.all([all("queue"), all("failed")]).then(function (lists) {
      var waiting = lists[0].length;
      var offline = !navigator.onLine;
      part("offline").hidden = !offline || waiting > 0;
      var line = part("waiting");
      line.hidden = !waiting;
      if (waiting) {
        var name = offline ? "offline-waiting" : status.dataset.signedOut ? "sign-in" : "waiting";
        line.textContent = t(name, { count: waiting });
      }
      renderFailed(lists[1]);
      var drafts = journalCopies().some(function (key) { return key.indexOf("journal-draft:") === 0; });
      part("keep").hidden = !(waiting || lists[1].length || drafts);
      status.classList.toggle("is-offline", offline);
      // The offline/waiting line is a bar fixed at the bottom: the page keeps room for it.
      document.body.classList.toggle("pwa-bar", offline || waiting > 0);
    }).catch(function () { /* storage unavailable: nothing queued, nothing to show */ });
  }

  window.addEventListener("online", function () { refresh(); flush(); });
  window.addEventListener("offline", refresh);

  // For offline-app.js (sign-out) and tests.
  window.OfflineQueue = {
    flush: flush,
    refresh: refresh,
    forgetUser: forgetUser,
    forgetJournalCopies: forgetJournalCopies,
    keepOnSignOut: function () {
      var box = document.getElementById("pwa-keep-unsent");
      return !!(box && box.checked);
    },
    user: USER,
  };

  refresh();
  if (navigator.onLine) flush();
})();
