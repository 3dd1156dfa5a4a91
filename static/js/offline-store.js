/* offline-store.js — the device's queue of writes made offline, in IndexedDB (no build step).
 *
 * Two stores in the "recovery-offline" database: "queue" (waiting, in the order they were
 * made: an auto-increment key) and "failed" (refused by the server, with its reason, until
 * the patient dismisses them). Every item names the patient who made it: a shared device
 * never shows or sends one patient's items in another's session. Used by offline-queue.js.
 */
(function () {
  "use strict";

  if (!window.indexedDB) return;
  var DB_NAME = "recovery-offline";
  var dbPromise = null;

  // ---- IndexedDB: "queue" (waiting, in order) and "failed" (refused, with the reason) ------

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () {
          var d = open.result;
          d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true }).createIndex("key", "key");
          d.createObjectStore("failed", { keyPath: "seq", autoIncrement: true });
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }

  function tx(stores, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var transaction = d.transaction(stores, mode);
        var result = work(transaction);
        transaction.oncomplete = function () { resolve(result && "value" in result ? result.value : result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function all(storeName, user) {
    return tx([storeName], "readonly", function (transaction) {
      var out = { value: [] };
      transaction.objectStore(storeName).openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) return;
        if (cursor.value.user === user) out.value.push(cursor.value);
        cursor.continue();
      };
      return out;
    });
  }

  // A new item, or the waiting one for the same thing updated where it stands in the queue.
  function put(item) {
    return tx(["queue"], "readwrite", function (transaction) {
      var store = transaction.objectStore("queue");
      store.index("key").getAll(item.key).onsuccess = function (event) {
        var same = event.target.result.filter(function (old) { return old.user === item.user; });
        if (same.length) item.seq = same[0].seq;
        store.put(item);
      };
    });
  }

  function remove(storeName, seq) {
    return tx([storeName], "readwrite", function (transaction) {
      transaction.objectStore(storeName).delete(seq);
    });
  }

  function moveToFailed(item, reason) {
    return tx(["queue", "failed"], "readwrite", function (transaction) {
      transaction.objectStore("queue").delete(item.seq);
      var failed = Object.assign({}, item, { error: reason, failedAt: Date.now() });
      delete failed.seq;
      transaction.objectStore("failed").add(failed);
    });
  }

  // Sign-out on a shared device: this patient's items go (unless they chose to keep them).
  function forgetUser(user) {
    return tx(["queue", "failed"], "readwrite", function (transaction) {
      ["queue", "failed"].forEach(function (name) {
        transaction.objectStore(name).openCursor().onsuccess = function (event) {
          var cursor = event.target.result;
          if (!cursor) return;
          if (cursor.value.user === user) cursor.delete();
          cursor.continue();
        };
      });
    });
  }

  window.OfflineStore = { all: all, put: put, remove: remove, moveToFailed: moveToFailed, forgetUser: forgetUser };
})();
