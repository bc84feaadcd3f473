/* The outbox on the device (issue 19): actions made without a connection, kept in IndexedDB
 * (the vendored idb library) until /api/v1/sync has answered for them. Runs in the pages
 * (static/js/outbox.js) and in the service worker (Background Sync, failed page posts), so
 * nothing here touches the DOM.
 *
 * Contract of sendWaiting():
 * 1. One sender at a time across tabs and the worker: the Web Lock LOCK_NAME, taken only if
 *    free (another sender is already sending the same items). Without Web Locks, a lock
 *    record in the meta store stands in, taken in one IndexedDB transaction (they do not
 *    overlap on a store) and good for STORED_LOCK_MS, so a tab closed mid-send blocks no one
 *    for long. It resolves null when another sender holds the lock, else the number sent.
 * 2. The signed-in user's waiting items go in device order (the store's autoincrement seq),
 *    at most BATCH_SIZE a request.
 * 3. "applied" and "already_applied" remove the item; "refused" keeps it with the server's
 *    message and what to do, and "applied" but late (after its day or handoff closed) keeps
 *    it as "late", each until the user has read it. A request cut mid-way leaves every
 *    item waiting: sending again is harmless, the server answers by client_id.
 */
(function (global) {
  "use strict";

  var DB_NAME = "hub-outbox";
  var SYNC_URL = "/api/v1/sync";
  var BATCH_SIZE = 300;
  var STORED_LOCK = "send-lock";
  var STORED_LOCK_MS = 120000;
  var MAX_PHOTO_SIDE = 1600;
  var WIRE_FIELDS = [
    "client_id", "type", "device_time", "tracking_id", "handoff", "reason", "note",
    "recipient_name", "safe_place_note", "photo"
  ];
  var channel = "BroadcastChannel" in global ? new global.BroadcastChannel("hub-outbox") : null;
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = global.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          var store = database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          store.createIndex("client_id", "client_id", { unique: true });
          database.createObjectStore("meta");
        }
      });
    }
    return dbPromise;
  }

  function changed() {
    if (channel) { channel.postMessage("changed"); }
    if (global.HubOutbox.onChange) { global.HubOutbox.onChange(); }
  }

  function getMeta(key) {
    return db().then(function (d) { return d.get("meta", key); });
  }

  function setMeta(key, value) {
    return db().then(function (d) { return d.put("meta", value, key); });
  }

  /* Record an action: {client_id, type, device_time, ...contract fields}, for `user`. */
  function add(action, user) {
    var item = Object.assign({}, action, { user: user, state: "waiting" });
    return db().then(function (d) { return d.add("outbox", item); }).then(function (seq) {
      changed();
      return seq;
    });
  }

  /* The user's items in device order (waiting and refused). */
  function itemsOf(user) {
    return db().then(function (d) { return d.getAll("outbox"); }).then(function (all) {
      return all.filter(function (item) { return item.user === user; });
    });
  }

  function remove(seq) {
    return db().then(function (d) { return d.delete("outbox", seq); }).then(changed);
  }

  function toWire(item) {
    var wire = {};
    WIRE_FIELDS.forEach(function (name) {
      if (item[name] !== undefined && item[name] !== null && item[name] !== "") {
        wire[name] = item[name];
      }
    });
    return wire;
  }

  function applyResults(batch, results) {
    var byClientId = {};
    batch.forEach(function (item) { byClientId[item.client_id] = item; });
    return db().then(function (d) {
      var tx = d.transaction("outbox", "readwrite");
      results.forEach(function (result) {
        var item = byClientId[result.client_id];
        if (!item) { return; }
        if (result.outcome === "refused") {
          tx.store.put(Object.assign({}, item, {
            state: "refused", code: result.code, message: result.message,
            what_to_do: result.what_to_do, late: !!result.late
          }));
        } else if (result.late && result.outcome === "applied") {
          tx.store.put(Object.assign({}, item, { state: "late" }));
        } else {
          tx.store.delete(item.seq);
        }
      });
      return tx.done;
    });
  }

  function postBatch(batch, token) {
    return fetch(SYNC_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token || "" },
      body: JSON.stringify({ events: batch.map(toWire) })
    }).then(function (response) {
      if (!response.ok) { throw new Error("sync answered " + response.status); }
      return response.json();
    });
  }

  function sendAllWaiting() {
    return Promise.all([getMeta("user"), getMeta("csrf")]).then(function (meta) {
      var user = meta[0];
      var token = meta[1];
      if (user === undefined || user === null) { return 0; }
      return itemsOf(user).then(function (items) {
        var waiting = items.filter(function (item) { return item.state === "waiting"; });
        var sent = 0;
        function next() {
          if (!waiting.length) { return sent; }
          var batch = waiting.slice(0, BATCH_SIZE);
          waiting = waiting.slice(BATCH_SIZE);
          return postBatch(batch, token).then(function (body) {
            return applyResults(batch, body.results || []);
          }).then(function () {
            sent += batch.length;
            return setMeta("last_sync", new Date().toISOString());
          }).then(next);
        }
        return next();
      });
    }).finally(changed);
  }

  function dataUrlOf(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      var text = "";
      for (var i = 0; i < bytes.length; i += 0x8000) {
        text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      return "data:image/jpeg;base64," + global.btoa(text);
    });
  }

  /* A photo made smaller on the device: a JPEG data URL, no side over MAX_PHOTO_SIDE
   * (the server re-encodes it anyway); undefined without a photo. */
  function smallerPhoto(file) {
    if (!file || !file.size) { return Promise.resolve(undefined); }
    return global.createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = new global.OffscreenCanvas(
        Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return canvas.convertToBlob({ type: "image/jpeg", quality: 0.85 });
    }).then(dataUrlOf);
  }

  /* Take the stored lock if no one holds it (or its holder's time ran out): its holder id,
   * or null. */
  function storedLockTake() {
    var holder = global.crypto.randomUUID();
    return db().then(function (d) {
      var tx = d.transaction("meta", "readwrite");
      return tx.store.get(STORED_LOCK).then(function (lock) {
        if (lock && lock.expires > Date.now()) { return null; }
        tx.store.put({ holder: holder, expires: Date.now() + STORED_LOCK_MS }, STORED_LOCK);
        return tx.done.then(function () { return holder; });
      });
    });
  }

  function storedLockRelease(holder) {
    return db().then(function (d) {
      var tx = d.transaction("meta", "readwrite");
      return tx.store.get(STORED_LOCK).then(function (lock) {
        if (lock && lock.holder === holder) { tx.store.delete(STORED_LOCK); }
        return tx.done;
      });
    });
  }

  function sendUnderStoredLock() {
    return storedLockTake().then(function (holder) {
      if (!holder) { return null; }
      return sendAllWaiting().finally(function () { return storedLockRelease(holder); });
    });
  }

  function sendWaiting() {
    var locks = global.navigator && global.navigator.locks;
    if (!locks) { return sendUnderStoredLock(); }
    return locks.request(global.HubOutbox.LOCK_NAME, { ifAvailable: true }, function (lock) {
      return lock ? sendAllWaiting() : null;
    });
  }

  global.HubOutbox = {
    PAGE_CACHE: "hub-pages",
    SYNC_TAG: "hub-outbox",
    LOCK_NAME: "hub-outbox-send",
    channel: channel,
    onChange: null,
    add: add,
    itemsOf: itemsOf,
    remove: remove,
    getMeta: getMeta,
    setMeta: setMeta,
    sendWaiting: sendWaiting,
    smallerPhoto: smallerPhoto
  };
})(self);
