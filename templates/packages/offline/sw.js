{% autoescape off %}/* The phone app's service worker (packages/views/offline.py renders it at /sw.js).
 *
 * - The app shell (styles, scripts, the idb library, the JavaScript catalog) is fetched on
 *   install; static files are served from the cache and refreshed behind it.
 * - The partner's and driver's own pages (PAGE_PATTERNS) are network-first: each visit keeps
 *   the page as it stood then, so without a connection it opens with the data of the last
 *   sync. Every other URL, ops pages above all, is left to the network.
 * - A log-in page answering a kept page means the session is gone: every kept page is dropped.
 * - A page form (deliver, attempt, undo, confirm, end of day) whose post fails on the way
 *   is kept in the outbox, and the page it came from opens again showing it as not sent.
 * - Background Sync ("hub-outbox") sends the outbox (static/js/outbox-core.js) when the
 *   connection returns, even with no page open.
 */
"use strict";
const CACHE_VERSION = "{{ cache_version }}";
const SHELL = {{ shell }};
const PAGE_PATTERNS = {{ page_patterns }}.map(function (p) { return new RegExp(p); });
const STATIC_PREFIX = {{ static_prefix }};
const ACTION_PATTERNS = {{ action_patterns }}.map(function (a) { return [new RegExp(a[0]), a[1], a[2]]; });
importScripts({{ idb_url }}, {{ outbox_core_url }});
{% endautoescape %}{% verbatim %}
const SHELL_CACHE = "hub-shell-" + CACHE_VERSION;
const PAGE_CACHE = self.HubOutbox.PAGE_CACHE;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("hub-shell-") === 0 && name !== SHELL_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isKeptPage(url) {
  return url.origin === self.location.origin && url.search === "" &&
    PAGE_PATTERNS.some(function (pattern) { return pattern.test(url.pathname); });
}

function isLogInPage(response) {
  return response.redirected && new URL(response.url).pathname.indexOf("/accounts/login") === 0;
}

function pageFromNetwork(request) {
  return fetch(request).then(function (response) {
    if (isLogInPage(response)) {
      return caches.delete(PAGE_CACHE).then(function () { return response; });
    }
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  });
}

function pageNetworkFirst(request) {
  return pageFromNetwork(request).catch(function () {
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.match(request.url, { ignoreVary: true });
    }).then(function (kept) { return kept || Response.error(); });
  });
}

function shellStaleWhileRevalidate(request) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (kept) { fresh.catch(function () {}); return kept; }
      return fresh;
    });
  });
}

function actionOf(url) {
  for (var i = 0; i < ACTION_PATTERNS.length; i++) {
    var found = ACTION_PATTERNS[i][0].exec(url.pathname);
    if (found) { return { type: ACTION_PATTERNS[i][1], key: ACTION_PATTERNS[i][2], value: found[1] }; }
  }
  return null;
}

function keepFailedPost(request, action) {
  return request.formData().then(function (form) {
    var kept = {
      client_id: form.get("idempotency_key"),
      device_time: form.get("device_time") || new Date().toISOString(),
      type: action.type
    };
    if (action.key) { kept[action.key] = action.key === "handoff" ? Number(action.value) : decodeURIComponent(action.value); }
    ["reason", "note", "recipient_name", "safe_place_note"].forEach(function (name) {
      if (form.get(name)) { kept[name] = form.get(name); }
    });
    return self.HubOutbox.smallerPhoto(form.get("photo")).then(function (photo) {
      if (photo) { kept.photo = photo; }
      return self.HubOutbox.getMeta("user");
    }).then(function (user) { return self.HubOutbox.add(kept, user); });
  }).then(function () {
    return Response.redirect(request.referrer || self.location.origin + "/", 303);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var action = request.method === "POST" && request.mode === "navigate" ? actionOf(url) : null;
  if (action) {
    var copy = request.clone();
    event.respondWith(fetch(request).catch(function () { return keepFailedPost(copy, action); }));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0 || SHELL.indexOf(url.pathname + url.search) !== -1) {
    event.respondWith(shellStaleWhileRevalidate(request));
  } else if (request.mode === "navigate" && isKeptPage(url)) {
    event.respondWith(pageNetworkFirst(request));
  }
});

// A page asks to keep its start page and itself (the warm-up after a sync); only the
// allowed pages are kept. On log-out it asks to drop them: after any keeping under way, so
// a page fetched just before the log-out does not come back after it.
var keeping = Promise.resolve();

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-pages") {
    var urls = (data.urls || []).map(function (u) { return new URL(u, self.location.origin); })
      .filter(isKeptPage);
    keeping = Promise.all(urls.map(function (url) {
      return pageFromNetwork(new Request(url.href, { credentials: "same-origin" })).catch(function () {});
    }));
    event.waitUntil(keeping);
  } else if (data.type === "drop-pages") {
    event.waitUntil(keeping.then(function () { return caches.delete(PAGE_CACHE); }).then(function () {
      if (event.ports[0]) { event.ports[0].postMessage("dropped"); }
    }));
  } else if (data.type === "send-outbox") {
    event.waitUntil(self.HubOutbox.sendWaiting().catch(function () {}));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === self.HubOutbox.SYNC_TAG) {
    event.waitUntil(self.HubOutbox.sendWaiting());
  }
});
{% endverbatim %}
