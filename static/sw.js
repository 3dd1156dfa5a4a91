/* sw.js — the patient app's service worker. Hand-written, no build step; served at /sw.js
 * (recovery/pwa.py) so that it can answer for every page of the site.
 *
 * - Navigations: network first. A patient page that answered 200 (Today, the writing forms
 *   and the flare page it links to) is kept; without a connection the kept copy is shown,
 *   else the last Today page, else the offline page.
 * - Only an allow-list of patient paths is ever kept: staff and clinic pages, other users'
 *   data, JSON and partials never enter the cache. A patient page answers 404 to staff, and
 *   only a 200 that was not redirected (to sign-in) is kept.
 * - Static files: served from the cache, refreshed in the background.
 * - Writes (POST) always go to the network: offline, the page's queue keeps them
 *   (static/js/offline-queue.js).
 * - Sign-out (the page sends "signed-out"), a page redirected to sign-in, or the sign-in page
 *   itself (a session that ended unnoticed, the next person signing in) drops every kept
 *   page: a shared device keeps nothing of the patient's pages.
 */
"use strict";

var VERSION = "v1";
var PAGES = "recovery-pages-" + VERSION;
var ASSETS = "recovery-assets-" + VERSION;
var OFFLINE_URL = "/offline/";
var TODAY_URL = "/today/";
// The pages a patient may open offline: Today, and what Today links to.
var KEEP_PAGES = ["/today/", "/today/flare/", "/journal/new/"];
// Never shown from the cache, not even as a fallback: staff and account pages.
var NEVER = ["/clinic/", "/admin/", "/accounts/"];
var FRESH_MS = 3 * 3600 * 1000; // a kept linked page younger than this is not fetched again

function isPage(url) {
  return url.origin === self.location.origin && KEEP_PAGES.indexOf(url.pathname) !== -1;
}

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0;
}

function isSignIn(response) {
  return response.redirected && new URL(response.url).pathname.indexOf("/accounts/login") === 0;
}

function purgePages() {
  return caches.delete(PAGES);
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSETS).then(function (cache) {
      return cache.add(new Request(OFFLINE_URL, { credentials: "omit" }));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("recovery-") === 0 && name !== PAGES && name !== ASSETS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

// Keep a copy of a page only if it is really the patient's page (200, HTML, not a redirect).
function keepPage(url, response) {
  var type = response.headers.get("Content-Type") || "";
  if (!response.ok || response.redirected || type.indexOf("text/html") !== 0) return Promise.resolve();
  return caches.open(PAGES).then(function (cache) {
    return cache.put(url.href, response);
  });
}

// A kept copy says so (data-offline-copy on <body>): the page's scripts then know its
// forms' ids were not made for this visit (offline-queue.js renews them).
function marked(response) {
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.set("X-Offline-Copy", "1");
    return new Response(html.replace("<body ", '<body data-offline-copy="1" '), {
      status: 200, statusText: "OK", headers: headers,
    });
  });
}

function fromCache(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url.href, { ignoreVary: true }).then(function (hit) {
      var blocked = NEVER.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
      if (hit || blocked) return hit;
      return cache.match(new URL(TODAY_URL, self.location.origin).href, { ignoreVary: true });
    });
  }).then(function (hit) {
    if (hit) return marked(hit);
    return caches.match(OFFLINE_URL, { ignoreVary: true }).then(function (page) {
      return page || Response.error();
    });
  });
}

function navigate(event, url) {
  return fetch(event.request).then(function (response) {
    if (isSignIn(response) || url.pathname.indexOf("/accounts/login") === 0) {
      // Signed out (here or elsewhere): the patient's pages must not outlive the session.
      event.waitUntil(purgePages());
    } else if (isPage(url)) {
      event.waitUntil(keepPage(url, response.clone()));
    }
    return response;
  }, function () {
    return fromCache(url);
  });
}

function staleWhileRevalidate(event) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(event.request).then(function (hit) {
      var refresh = fetch(event.request).then(function (response) {
        if (response.ok) return cache.put(event.request, response.clone()).then(function () { return response; });
        return response;
      });
      if (hit) {
        event.waitUntil(refresh.catch(function () { /* offline: the kept copy serves */ }));
        return hit;
      }
      return refresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (isStatic(url)) {
    event.respondWith(staleWhileRevalidate(event));
  }
});

// What a page asks the worker to keep (the static files it uses and the pages it links
// to), and sign-out.
function keep(urls) {
  return Promise.all((urls || []).map(function (href) {
    var url;
    try { url = new URL(href, self.location.origin); } catch (e) { return null; }
    if (isStatic(url)) {
      return caches.open(ASSETS).then(function (cache) {
        return cache.match(url.href).then(function (hit) { return hit || cache.add(url.href); });
      }).catch(function () { return null; });
    }
    if (isPage(url)) {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(url.href, { ignoreVary: true });
      }).then(function (hit) {
        // Each Today visit asks again: a copy fetched in the last hours is fresh enough.
        var age = hit ? Date.now() - Date.parse(hit.headers.get("Date") || "") : NaN;
        if (age < FRESH_MS) return null;
        return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
          if (isSignIn(response)) return purgePages();
          return keepPage(url, response);
        });
      }).catch(function () { return null; });
    }
    return null;
  }));
}

self.addEventListener("message", function (event) {
  if (event.origin && event.origin !== self.location.origin) return;
  var data = event.data || {};
  var done;
  if (data.type === "keep") done = keep(data.urls);
  else if (data.type === "signed-out") done = purgePages();
  if (!done) return;
  event.waitUntil(done.then(function () {
    if (event.ports && event.ports[0]) event.ports[0].postMessage({ done: true });
  }));
});
