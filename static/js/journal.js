/* journal.js — a patient never loses a word they wrote.
 *
 * Loaded (deferred) on the journal's own pages only (entry form, entry page, list). No build step.
 *
 * - Every change is written to localStorage at once (key per entry client_id, one record per
 *   open form so two tabs never clobber each other's copy).
 * - Every ~3 s while typing, and when the page is hidden or left (fetch keepalive, CSRF token
 *   in the form data), the draft is sent to the autosave endpoint.
 * - After a reload, a crash or a lost connection, a local copy the server does not hold yet
 *   is put back into the form and sent when the connection is back (online event, retries
 *   with backoff). The server refuses a save based on an older revision (another tab or
 *   device saved meanwhile): the form then offers to compare both versions.
 * - "Write and release": nothing of the text is sent or stored, not even locally.
 * - Only a real save answer ({"saved": true, "revision": n}) counts as saved. Anything else
 *   (signed out: 401 or a sign-in page; refused: 400; a proxy's error page) keeps the local
 *   copy and says "Not saved"; signed out, it links to the sign-in page and back here, and
 *   the copy is sent when the form loads again after sign-in.
 * - A field never drops the end of a paste: no maxlength; length-counter.js shows a counter.
 *
 * Each page load is one "editor" (a fresh id from the server) counting its changes (seq).
 * The server tells which editor wrote its last revision and up to which change: a local
 * record is known to be saved when the server has its editor and a seq at least as high.
 */
(function () {
  "use strict";

  // The status sentences, in the page's language: data-t-* on this script's tag. They are
  // written there only (form.html, the one page with the editor), so not repeated here.
  var TEXTS = (document.currentScript && document.currentScript.dataset) || {};

  function say(key, values) {
    return (TEXTS[key] || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }

  var PREFIX = "journal-draft:";
  var NEW_PREFIX = "journal-new:";
  var SEND_AFTER_MS = 3000;
  var MAX_RETRY_MS = 60000;
  var KEEPALIVE_LIMIT = 60000; // browsers cap keepalive bodies at 64 KiB
  var META = { client_id: 1, base_revision: 1, editor_id: 1, editor_seq: 1, csrfmiddlewaretoken: 1, action: 1 };

  var store = (function () {
    try {
      var s = window.localStorage;
      s.setItem("journal-test", "1");
      s.removeItem("journal-test");
      return s;
    } catch (e) {
      return null; // private mode or storage disabled: the server autosave still works
    }
  })();

  function readRecords(clientId) {
    if (!store) return {};
    try {
      return JSON.parse(store.getItem(PREFIX + clientId) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function writeRecords(clientId, records) {
    if (!store) return;
    try {
      if (Object.keys(records).length) store.setItem(PREFIX + clientId, JSON.stringify(records));
      else store.removeItem(PREFIX + clientId);
    } catch (e) {
      /* storage full: the server copy is the fallback */
    }
  }

  function acknowledged(record, serverEditor, serverSeq) {
    return !!serverEditor && record.editor === serverEditor && record.seq <= serverSeq;
  }

  // On the entry page and the journal list: drop local copies the server already holds.
  Array.prototype.forEach.call(document.querySelectorAll("[data-journal-ack]"), function (ack) {
    var records = readRecords(ack.dataset.clientId);
    var seqOnServer = parseInt(ack.dataset.editorSeq, 10) || 0;
    Object.keys(records).forEach(function (editor) {
      if (acknowledged(records[editor], ack.dataset.editorId, seqOnServer)) delete records[editor];
    });
    writeRecords(ack.dataset.clientId, records);
  });

  var form = document.getElementById("entry-form");
  if (!form) return;
  var el = form.elements;
  var releaseForm = document.getElementById("release-form");
  var statusEl = document.getElementById("save-status");
  var compareButton = document.getElementById("compare-versions");
  var signedOutEl = document.getElementById("signed-out");
  var signedOutLink = document.getElementById("signed-out-link");
  var autosaveUrl = form.dataset.autosaveUrl;
  var isNew = form.dataset.new === "1";
  var serverEditor = form.dataset.editorId || "";
  var serverSeq = parseInt(form.dataset.editorSeq, 10) || 0;
  var serverRevision = parseInt(form.dataset.revision, 10) || 0;

  var clientId = el.client_id.value;
  var editorId = el.editor_id.value;
  var base = parseInt(el.base_revision.value, 10) || 0;
  var seq = 0; // this form's change counter, sent as editor_seq
  var sentSeq = 0; // highest change the server confirmed
  var timer = null;
  var retryTimer = null;
  var retryDelay = 0;
  var inFlight = false;
  var again = false;
  var conflict = false;
  var submitting = false;
  var leftWithSeq = -1; // visibilitychange and pagehide both fire when leaving: send once

  function csrfToken() {
    // The cookie is fresh even after signing in again in another tab; the form's copy is not.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    if (el.csrfmiddlewaretoken) return el.csrfmiddlewaretoken.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function setStatus(text, signedOut) {
    if (statusEl && statusEl.textContent !== text) statusEl.textContent = text;
    if (signedOutEl && !signedOut) signedOutEl.hidden = true;
  }

  function showSignedOut() {
    setStatus(say("tSignedOut"), true);
    if (!signedOutEl) return;
    // Back to this very form after signing in (its URL may have moved to the entry's own).
    var next = window.location.pathname + window.location.search;
    if (signedOutLink) signedOutLink.href = (form.dataset.loginUrl || "/accounts/login/") + "?next=" + encodeURIComponent(next);
    signedOutEl.hidden = false;
  }

  // A save answer, and nothing else: a page that happens to answer JSON (a sign-in page
  // reached through a redirect) must never make the device forget the words.
  function isSaveAnswer(result) {
    var body = result.body;
    return result.status === 200 && !result.redirected && !!body && body.saved === true &&
      typeof body.revision === "number" && isFinite(body.revision);
  }

  function timeOf(iso) {
    var d = iso ? new Date(iso) : new Date();
    // In the page's language (the account's choice), not the browser's.
    return d.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
  }

  function releaseMode() {
    var radio = form.querySelector('input[name="visibility"]:checked');
    return !!radio && radio.value === "released";
  }

  function exerciseKey() {
    return NEW_PREFIX + el.kind.value + ":" + (el.exercise ? el.exercise.value : "");
  }

  // ---- the form's content, as a plain object ---------------------------------------------

  function snapshot() {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      if (META[name]) return;
      (out[name] = out[name] || []).push(String(value));
    });
    return out;
  }

  function sameContent(a, b) {
    var keys = Object.keys(a).concat(Object.keys(b));
    for (var i = 0; i < keys.length; i++) {
      var x = (a[keys[i]] || []).join("\u0000");
      var y = (b[keys[i]] || []).join("\u0000");
      if (x !== y) return false;
    }
    return true;
  }

  function fill(fields) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || META[input.name] || input.type === "submit" || input.type === "hidden") return;
      var values = fields[input.name] || [];
      if (input.type === "checkbox" || input.type === "radio") input.checked = values.indexOf(input.value) !== -1;
      else if (values.length) input.value = values[0];
    });
  }

  // ---- the local copy ------------------------------------------------------------------------

  function saveLocal() {
    if (releaseMode()) return;
    var records = readRecords(clientId);
    records[editorId] = { editor: editorId, seq: seq, base: base, fields: snapshot(), updated: Date.now() };
    writeRecords(clientId, records);
    if (isNew && base === 0 && store) {
      try {
        store.setItem(exerciseKey(), clientId);
      } catch (e) {
        /* ignore */
      }
    }
  }

  function dropLocal(editor) {
    var records = readRecords(clientId);
    if (editor) delete records[editor];
    else records = {};
    writeRecords(clientId, records);
  }

  function forgetNew() {
    if (!store) return;
    if (store.getItem(exerciseKey()) === clientId) store.removeItem(exerciseKey());
  }

  function useClientId(id) {
    clientId = id;
    el.client_id.value = id;
    if (releaseForm && releaseForm.elements.client_id) releaseForm.elements.client_id.value = id;
  }

  // The most recent local copy the server does not hold; drops the ones it does.
  function newestUnsaved(id, serverState) {
    var records = readRecords(id);
    var newest = null;
    Object.keys(records).forEach(function (editor) {
      var record = records[editor];
      if (!record || !record.fields || acknowledged(record, serverEditor, serverSeq) || sameContent(record.fields, serverState)) {
        delete records[editor];
      } else if (!newest || record.updated > newest.updated) {
        newest = record;
      }
    });
    writeRecords(id, records);
    return newest;
  }

  function restore() {
    var serverState = snapshot();
    var newest = newestUnsaved(clientId, serverState);
    if (!newest && isNew && store) {
      // A new entry the server never confirmed, left by a reload or crash: continue it rather
      // than start a second one (the URL had not moved to the entry's own page yet).
      var orphan = store.getItem(exerciseKey());
      if (orphan && orphan !== clientId) {
        newest = newestUnsaved(orphan, serverState);
        if (newest) useClientId(orphan);
      }
    }
    if (!newest) return;
    fill(newest.fields);
    // This form keeps its own editor id: another tab may still be writing as that one.
    // If the server's last revision came from the form that left these words, they
    // descend from it and are based on it; otherwise the server will report a conflict.
    base = newest.editor === serverEditor ? serverRevision : newest.base;
    seq = 1;
    el.base_revision.value = String(base);
    el.editor_seq.value = String(seq);
    saveLocal();
    var remaining = readRecords(clientId);
    delete remaining[newest.editor];
    writeRecords(clientId, remaining);
    setStatus(say("tRestored"));
    scheduleSend(0);
  }

  // ---- talking to the server --------------------------------------------------------------

  function scheduleSend(delay) {
    if (timer || conflict || releaseMode()) return;
    timer = window.setTimeout(function () {
      timer = null;
      send(false);
    }, delay);
  }

  function scheduleRetry() {
    retryDelay = Math.min(Math.max(2000, retryDelay * 2), MAX_RETRY_MS);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      send(false);
    }, retryDelay);
  }

  function bodySize(data) {
    var size = 0;
    data.forEach(function (value, name) {
      size += name.length + String(value).length * 3 + 64;
    });
    return size;
  }

  function send(leaving) {
    if (conflict || releaseMode() || submitting || seq <= sentSeq) return;
    // Leaving the page cannot wait for the request in flight; the server orders them by seq.
    if (inFlight && !leaving) {
      again = true;
      return;
    }
    if (leaving) {
      if (leftWithSeq === seq) return;
      leftWithSeq = seq;
    }
    var data = new FormData(form);
    var token = csrfToken();
    data.set("csrfmiddlewaretoken", token);
    data.set("editor_id", editorId);
    data.set("editor_seq", String(seq));
    data.set("base_revision", String(base));
    var sendingSeq = seq;
    var options = {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    };
    // A keepalive request outlives the page, up to a size; a larger one is still tried (the
    // page may only be hidden) and the words stay on this device either way.
    if (leaving && bodySize(data) <= KEEPALIVE_LIMIT) options.keepalive = true;
    inFlight = true;
    if (!leaving) setStatus(say("tSaving"));
    fetch(autosaveUrl, options)
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        var result = { status: response.status, body: null, redirected: response.redirected };
        if (type.indexOf("application/json") === -1) {
          // A sign-in page after a redirect, a CSRF failure page, a proxy's error page.
          result.signedOut = response.redirected || response.status === 401 || response.status === 403;
          return result;
        }
        return response.json().then(function (body) {
          result.body = body;
          return result;
        }, function () {
          return result;
        });
      })
      .then(function (result) {
        inFlight = false;
        var body = result.body || {};
        if (isSaveAnswer(result)) onSaved(body, sendingSeq);
        else if (result.status === 409 && body.conflict) onConflict();
        else if (result.status === 409 && body.released) {
          conflict = true; // nothing more to send: released entries keep no words
          setStatus(say("tReleasedElsewhere"));
        }
        else if (result.status === 401 || result.status === 403 || result.signedOut || result.redirected) {
          showSignedOut();
          scheduleRetry(); // signing in in another tab is enough: the next try goes through
        }
        else if (result.status === 400 && body.error) {
          // Refused (too long, unusable): trying again cannot help until the words change.
          // The server's sentence is whole and in the patient's language.
          setStatus(body.error);
        }
        else onFailed(say("tRetrying"));
      })
      .catch(function () {
        inFlight = false;
        onFailed(say("tOffline"));
      })
      .then(function () {
        if (again) {
          again = false;
          scheduleSend(0);
        }
      });
  }

  function onSaved(body, sendingSeq) {
    retryDelay = 0;
    base = Math.max(base, body.revision);
    el.base_revision.value = String(base);
    sentSeq = Math.max(sentSeq, sendingSeq);
    if (body.edit_url && window.location.pathname !== body.edit_url) {
      // A reload now lands on this entry, not on a fresh one.
      window.history.replaceState(null, "", body.edit_url);
      form.action = body.edit_url;
      forgetNew();
      isNew = false;
    }
    if (seq <= sentSeq) dropLocal(editorId);
    else saveLocal();
    var problems = body.errors ? Object.keys(body.errors) : [];
    var when = { time: timeOf(body.saved_at) };
    var text = body.status === "saved" && body.unsaved_edits
      ? say("tKept", when)
      : say("tSaved", when);
    if (problems.length) {
      text += " " + say("tExcept", { problem: body.errors[problems[0]][0] });
    }
    setStatus(text);
  }

  function onConflict() {
    conflict = true;
    window.clearTimeout(timer);
    timer = null;
    setStatus(say("tConflict"));
    if (compareButton) {
      compareButton.hidden = false;
      compareButton.focus();
    }
  }

  function onFailed(message) {
    setStatus(message);
    scheduleRetry();
  }

  // ---- events ---------------------------------------------------------------------------

  function onChange(event) {
    if (event && event.target && event.target.name === "visibility") {
      updateMode();
      return;
    }
    if (releaseMode()) return;
    seq += 1;
    el.editor_seq.value = String(seq);
    saveLocal();
    scheduleSend(SEND_AFTER_MS);
  }

  function updateMode() {
    if (releaseMode()) {
      window.clearTimeout(timer);
      timer = null;
      dropLocal(null);
      forgetNew();
      var erases = document.getElementById("release-erases");
      if (erases) erases.hidden = base === 0;
      setStatus(say("tReleaseMode"));
    } else {
      setStatus("");
      onChange(null);
    }
  }

  function leave() {
    if (document.visibilityState === "hidden") send(true);
  }

  form.addEventListener("input", function (event) {
    var t = event.target;
    if (t && (t.type === "checkbox" || t.type === "radio")) return; // reported by "change"
    onChange(event);
  });
  form.addEventListener("change", function (event) {
    // Checkboxes, radios and selects report here; text fields already did on input.
    var t = event.target;
    if (t && (t.type === "checkbox" || t.type === "radio" || t.tagName === "SELECT")) onChange(event);
  });

  if (compareButton) {
    compareButton.addEventListener("click", function (event) {
      // Only meaningful after a conflict; otherwise it must never post (nor save) anything.
      if (!conflict) event.preventDefault();
    });
  }

  form.addEventListener("submit", function (event) {
    if (releaseMode()) {
      // Enter in a text field while "Write and release" is chosen: release, sending no words.
      event.preventDefault();
      if (releaseForm.requestSubmit) releaseForm.requestSubmit();
      else releaseForm.submit();
      return;
    }
    window.clearTimeout(timer);
    timer = null;
    el.editor_id.value = editorId;
    el.editor_seq.value = String(seq);
    el.base_revision.value = String(base);
    saveLocal(); // kept until the entry page confirms the server has it
    submitting = true;
  });

  if (releaseForm) {
    releaseForm.addEventListener("submit", function () {
      dropLocal(null);
      forgetNew();
      submitting = true;
    });
  }

  document.addEventListener("visibilitychange", leave);
  window.addEventListener("pagehide", function () {
    send(true);
  });
  window.addEventListener("pageshow", function (event) {
    // Back to a page from the back-forward cache: it may continue where it was.
    if (event.persisted) {
      submitting = false;
      if (seq > sentSeq) scheduleSend(0);
    }
  });
  window.addEventListener("online", function () {
    window.clearTimeout(retryTimer);
    retryTimer = null;
    retryDelay = 0;
    send(false);
  });
  window.addEventListener("offline", function () {
    if (seq > sentSeq) setStatus(say("tOffline"));
  });

  if (form.dataset.discardLocal === "1") {
    dropLocal(null);
    window.history.replaceState(null, "", window.location.pathname);
  } else {
    restore();
  }
  if (form.dataset.unsaved === "1" && !releaseMode()) {
    // The server refused this form (shown again with its words): they are not saved
    // anywhere but here, so keep them on the device and autosave what can be saved.
    seq = Math.max(seq, 1);
    el.editor_seq.value = String(seq);
    saveLocal();
    scheduleSend(0);
  }
  // length-counter.js counts what restore() put back.
  document.dispatchEvent(new Event("counter:refresh"));
  if (releaseMode()) updateMode();
})();
