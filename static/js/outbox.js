/* The phone app on the partner's and driver's pages (issue 19), on top of outbox-core.js:
 *
 * - registers the service worker (/sw.js) that keeps these pages for offline use;
 * - while offline, or while older actions still wait (device order), a scan, handoff
 *   confirmation, delivery (photo made smaller on the device), attempt, undo or end of day
 *   goes into the outbox instead of the network, and shows at once as done but not sent;
 *   an htmx scan whose request fails goes there too, with the key it was sent with;
 * - sends the outbox on page load, when the connection returns, every 30 s, and through
 *   Background Sync where the browser has it;
 * - the banner (role="status") says offline, how many actions wait, the last sync, every
 *   refusal in plain words with what to do, and every action sent after its day closed;
 * - on log-out, and when another user signs in on the device, the kept pages are dropped.
 * Online and with nothing waiting, every form works exactly as without this file.
 */
(function () {
  "use strict";

  var SEND_EVERY_MS = 30000;
  var outbox = window.HubOutbox;
  var app = null;  // the body's data-phone-* settings
  var waitingCount = 0;

  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function ngettext(one, many, n) {
    return window.ngettext ? window.ngettext(one, many, n) : (n === 1 ? one : many);
  }
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function newKey() { return window.crypto.randomUUID(); }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // ------------------------------------------------------------- what an action says
  function doneText(item) {
    var texts = {
      received: gettext("Received"), damaged: gettext("Marked damaged"),
      missing: gettext("Marked missing"), handoff_confirm: gettext("Handoff confirmed"),
      delivered: gettext("Delivered"), attempted: gettext("Not delivered"),
      delivery_undone: gettext("Delivery undone"), day_close: gettext("Kept for the return")
    };
    return texts[item.type] || item.type;
  }

  function describe(item) {
    var what = doneText(item);
    return item.tracking_id ? item.tracking_id + " · " + what : what;
  }

  // ------------------------------------------------------------- forms -> actions
  function field(form, name) {
    var input = form.querySelector("[name=" + name + "]");
    return input ? input.value.trim() : "";
  }

  var SCAN_TYPES = { receive: "received", damaged: "damaged", missing: "missing" };

  function actionOf(form, submitter) {
    var action = {
      client_id: field(form, "idempotency_key") || newKey(),
      device_time: field(form, "device_time") || new Date().toISOString()
    };
    if (form.matches("[data-scan-form]")) {
      action.type = SCAN_TYPES[(submitter && submitter.value) || "receive"];
    } else {
      action.type = form.dataset.outbox;
    }
    if (form.dataset.handoffId) { action.handoff = Number(form.dataset.handoffId); }
    action.tracking_id = form.dataset.trackingId || field(form, "tracking_id") || undefined;
    ["reason", "note", "recipient_name", "safe_place_note"].forEach(function (name) {
      if (field(form, name)) { action[name] = field(form, name); }
    });
    return action;
  }

  function withPhoto(form, action) {
    var input = form.querySelector("input[type=file][name=photo]");
    var file = input && input.files && input.files[0];
    return outbox.smallerPhoto(file).then(function (photo) {
      if (photo) { action.photo = photo; }
      return action;
    });
  }

  /* What the service would refuse at once, said before the action is kept (no proof, no
   * reason, the storage box not ticked): the server still checks it all on sync. */
  function missingInput(form, action) {
    if (!form.reportValidity()) { return gettext("Fill in the form first."); }
    if (action.type === "delivered" && !action.photo && !action.recipient_name && !action.safe_place_note) {
      return gettext("One proof is enough: a photo, a name, or where you left it.");
    }
    if (action.type === "attempted" && !action.reason) { return gettext("Choose a reason."); }
    return "";
  }

  function keep(form, action) {
    return outbox.add(action, app.userId).then(function () {
      showKept(form, action);
      requestSend();
    }).catch(function () {
      say(form, gettext("This phone could not keep the action: try again."), true);
    });
  }

  function queueFromForm(form, submitter) {
    var action = actionOf(form, submitter);
    withPhoto(form, action).then(function (full) {
      var problem = missingInput(form, full);
      if (problem) { say(form, problem, true); return null; }
      return keep(form, full);
    }).catch(function () {
      say(form, gettext("This photo could not be read: take it again."), true);
    });
  }

  function shouldQueue() { return !navigator.onLine || waitingCount > 0; }

  // Capture phase, after scan.js has put a fresh key and the device time in the form, and
  // before htmx or the browser sends it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!app || !shouldQueue()) { return; }
    if (form.matches("[data-label-form]") && !navigator.onLine) {
      event.preventDefault();
      event.stopImmediatePropagation();
      showOfflinePanel(form);
      return;
    }
    if (!form.matches("[data-outbox], [data-scan-form]")) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    queueFromForm(form, event.submitter);
  }, true);

  // An htmx scan that never reached the server is kept with the key it was sent with: if
  // it did arrive after all, the server answers "already applied".
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (app && form.matches && form.matches("[data-scan-form]")) {
      form.outboxAction = actionOf(form, event.detail.triggeringEvent && event.detail.triggeringEvent.submitter);
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (!app) { return; }
    if (form.outboxAction) { keep(form, form.outboxAction); form.outboxAction = null; }
    if (form.matches && form.matches("[data-label-form]")) { showOfflinePanel(form); }
  });

  // ------------------------------------------------------------- showing kept actions
  function say(form, text, isError) {
    var box = document.getElementById("scan-answer") || document.getElementById("deliver-panel");
    if (!box || !document.body.contains(box)) { box = form.parentNode; }
    var line = el("p", { "class": "scan-answer " + (isError ? "scan-error" : "scan-kept") }, text);
    if (isError) { line.setAttribute("role", "alert"); }
    box.replaceChildren(line);
  }

  function showKept(form, action) {
    say(form, interpolate(gettext("%(what)s: saved on this phone, not sent yet."), { what: describe(action) }));
    if (form.matches("[data-scan-form]")) {
      var input = form.querySelector("input[name=tracking_id]");
      input.value = "";
      input.focus();
    }
  }

  function rowsFor(trackingId) {
    return document.querySelectorAll("[data-package-row][data-tracking-id='" + CSS.escape(trackingId) + "']");
  }

  function markRow(row, item) {
    var mark = el("div", { "class": "outbox-mark outbox-" + item.state, "data-outbox-mark": "" });
    if (item.state === "refused") {
      mark.appendChild(el("strong", {}, interpolate(gettext("Refused (%(what)s):"), { what: doneText(item) })));
      mark.appendChild(document.createTextNode(" " + (item.message || "") + " " + (item.what_to_do || "")));
    } else if (item.state === "late") {
      mark.appendChild(el("strong", {}, doneText(item) + ": "));
      mark.appendChild(document.createTextNode(lateText()));
    } else {
      mark.appendChild(el("span", { "class": "chip chip-pending" }, interpolate(gettext("%(what)s · not sent yet"), { what: doneText(item) })));
    }
    row.appendChild(mark);
  }

  function undoButton(row, trackingId) {
    var button = el("button", { type: "button", "class": "button-secondary", "data-outbox-mark": "" },
      interpolate(gettext("Undo delivery of %(tracking)s"), { tracking: trackingId }));
    button.addEventListener("click", function () {
      keep(button, { client_id: newKey(), device_time: new Date().toISOString(), type: "delivery_undone", tracking_id: trackingId });
    });
    row.appendChild(button);
  }

  function showScanRow(item) {
    var list = document.getElementById("scan-list");
    if (!list) { return; }
    var row = el("li", { "data-outbox-mark": "" });
    row.appendChild(el("span", { "class": "mono" }, item.tracking_id));
    row.appendChild(document.createTextNode(" "));
    row.appendChild(el("span", { "class": "chip chip-pending" }, interpolate(gettext("%(what)s · not sent yet"), { what: doneText(item) })));
    list.insertBefore(row, list.firstChild);
  }

  /* A label scanned offline leaves the handoff's "Still to scan" list, as online. */
  function hideExpected(trackingId) {
    document.querySelectorAll("[data-expected='" + CSS.escape(trackingId) + "']").forEach(function (row) {
      row.hidden = true;
      row.dataset.outboxHidden = "";
    });
  }

  function markPage(items) {
    document.querySelectorAll("[data-outbox-mark]").forEach(function (node) { node.remove(); });
    document.querySelectorAll("[data-outbox-hidden]").forEach(function (node) {
      node.hidden = false;
      delete node.dataset.outboxHidden;
    });
    var handoffId = document.querySelector("[data-handoff-id]");
    handoffId = handoffId ? Number(handoffId.dataset.handoffId) : null;
    var lastByTracking = {};
    items.forEach(function (item) {
      if (item.handoff && item.handoff === handoffId && item.type !== "handoff_confirm" && item.state === "waiting") {
        showScanRow(item);
        hideExpected(item.tracking_id);
      }
      if (item.tracking_id) {
        lastByTracking[item.tracking_id] = item;
        rowsFor(item.tracking_id).forEach(function (row) { markRow(row, item); });
      }
    });
    Object.keys(lastByTracking).forEach(function (trackingId) {
      var last = lastByTracking[trackingId];
      if (last.type === "delivered" && last.state === "waiting") {
        rowsFor(trackingId).forEach(function (row) { undoButton(row, trackingId); });
      }
    });
  }

  // ------------------------------------------------------------- counters
  /* A counter's number as the server rendered it: kept aside the first time, as the page
   * shows the server's number plus what waits on this phone. A counter htmx swapped in
   * since is the server's number again. */
  function serverCount(node) {
    if (node.dataset.serverCount === undefined) {
      node.dataset.serverCount = node.textContent.trim();
    }
    return Number(node.dataset.serverCount);
  }

  function showCounts(attribute, changes) {
    document.querySelectorAll("[" + attribute + "]").forEach(function (node) {
      var change = changes[node.getAttribute(attribute)] || 0;
      node.textContent = String(serverCount(node) + change);
    });
  }

  function bump(changes, name, by) { changes[name] = (changes[name] || 0) + by; }

  /* What the handoff's counters will say once the server has the scans waiting here. Each
   * scan's outcome comes from the server's own rule (packages.scan_outcomes, the
   * `scan-outcomes` JSON: action -> outcome before -> "expected" or "other" -> the outcome
   * after, or an answer that changes nothing); a label is expected when it is still to scan
   * (`data-expected`) or its scanned row says so (`data-taken`). The outcome after counts
   * one more, the one before one fewer; a label's first outcome is one more scanned, and one
   * fewer still to scan when it was on that list. */
  function handoffChanges(items, handoffId) {
    var source = document.getElementById("scan-outcomes");
    if (!source) { return {}; }
    var rule = JSON.parse(source.textContent);
    var labels = {};
    document.querySelectorAll("[data-expected]").forEach(function (row) {
      labels[row.dataset.expected] = { outcome: "", expected: true, still: true };
    });
    document.querySelectorAll("#scan-list [data-scanned]").forEach(function (row) {
      labels[row.dataset.scanned] = { outcome: row.dataset.outcome, expected: row.hasAttribute("data-taken"), still: false };
    });
    var changes = {};
    items.forEach(function (item) {
      if (item.handoff !== handoffId || item.state !== "waiting" || !item.tracking_id || !rule[item.type]) { return; }
      var label = labels[item.tracking_id] || { outcome: "", expected: false, still: false };
      labels[item.tracking_id] = label;
      var answers = rule[item.type][label.outcome];
      var after = answers && answers[label.expected ? "expected" : "other"];
      // An outcome is what a label can be before a scan: any other answer changes nothing.
      if (!after || !Object.prototype.hasOwnProperty.call(rule[item.type], after)) { return; }
      bump(changes, after, 1);
      if (label.outcome) {
        bump(changes, label.outcome, -1);
      } else {
        bump(changes, "scanned", 1);
        if (label.still) { bump(changes, "still", -1); }
      }
      label.outcome = after;
      label.still = false;
    });
    return changes;
  }

  /* What the day's summary will say once the server has the deliveries, attempts, undos
   * and end of day waiting here: each row's bucket after its last action, the buckets
   * coming from the server (selectors.day_bucket_after_outbox_actions). */
  function dayChanges(items) {
    var source = document.getElementById("outbox-buckets");
    if (!source) { return {}; }
    var bucketAfter = JSON.parse(source.textContent);
    var rows = {};
    document.querySelectorAll("[data-package-row][data-bucket]").forEach(function (row) {
      rows[row.dataset.trackingId] = {
        from: row.dataset.bucket, bucket: row.dataset.bucket, keptAtClose: row.hasAttribute("data-kept-at-day-close")
      };
    });
    items.forEach(function (item) {
      if (item.state !== "waiting" || !bucketAfter[item.type]) { return; }
      if (item.type === "day_close") {
        Object.keys(rows).forEach(function (tracking) {
          if (rows[tracking].keptAtClose) {
            rows[tracking].bucket = bucketAfter.day_close;
            rows[tracking].keptAtClose = false;
          }
        });
        return;
      }
      var row = rows[item.tracking_id];
      if (!row) { return; }
      row.bucket = bucketAfter[item.type];
      row.keptAtClose = item.type === "delivery_undone";
    });
    var changes = {};
    Object.keys(rows).forEach(function (tracking) {
      var row = rows[tracking];
      if (row.bucket !== row.from) { bump(changes, row.from, -1); bump(changes, row.bucket, 1); }
    });
    return changes;
  }

  function showAllCounts(items) {
    var handoff = document.querySelector("[data-scan-form][data-handoff-id]");
    showCounts("data-count", handoff ? handoffChanges(items, Number(handoff.dataset.handoffId)) : {});
    showCounts("data-summary", dayChanges(items));
  }

  // ------------------------------------------------------------- the banner
  function lateText() { return gettext("Sent after the day closed: ops have it."); }

  /* A refusal, or an action the server took after its day closed, until it is read. */
  function answerLine(item) {
    var line = el("li", { "class": item.state === "late" ? "outbox-late" : "outbox-refusal" });
    line.appendChild(el("strong", {}, describe(item) + ": "));
    var words = item.state === "late" ? [lateText()] :
      [item.message || gettext("Refused."), item.what_to_do || "", item.late ? lateText() : ""];
    line.appendChild(document.createTextNode(words.filter(Boolean).join(" ")));
    var ok = el("button", { type: "button", "class": "button-secondary" }, gettext("I have read this"));
    ok.addEventListener("click", function () { outbox.remove(item.seq); });
    line.appendChild(document.createTextNode(" "));
    line.appendChild(ok);
    return line;
  }

  function showBanner(items, lastSync) {
    var banner = document.getElementById("outbox-banner");
    if (!banner) { return; }
    var waiting = items.filter(function (i) { return i.state === "waiting"; }).length;
    var refused = items.filter(function (i) { return i.state === "refused"; });
    var lines = [];
    if (!navigator.onLine) {
      lines.push(el("p", { "class": "outbox-offline" }, gettext("You are offline. What you do is saved on this phone and sent when the connection returns.")));
    }
    if (waiting) {
      lines.push(el("p", {}, interpolate(ngettext("%(n)s action waiting to be sent.", "%(n)s actions waiting to be sent.", waiting), { n: waiting })));
    }
    var late = items.filter(function (i) { return i.state === "late"; });
    if (refused.length) {
      lines.push(el("p", { "class": "outbox-refused" }, interpolate(ngettext("%(n)s action was refused.", "%(n)s actions were refused.", refused.length), { n: refused.length })));
    }
    if (late.length) {
      lines.push(el("p", { "class": "outbox-late" }, interpolate(ngettext("%(n)s action was sent after the day closed.", "%(n)s actions were sent after the day closed.", late.length), { n: late.length })));
    }
    if (refused.length || late.length) {
      var list = el("ul", { "class": "plain-list" });
      refused.concat(late).forEach(function (item) { list.appendChild(answerLine(item)); });
      lines.push(list);
    }
    if (lastSync && lines.length) {
      var time = new Date(lastSync).toLocaleTimeString(document.documentElement.lang, { hour: "numeric", minute: "2-digit" });
      lines.push(el("p", { "class": "muted" }, interpolate(gettext("Last sync: %(time)s"), { time: time })));
    }
    banner.replaceChildren.apply(banner, lines);
    banner.hidden = lines.length === 0;
  }

  function render() {
    return Promise.all([outbox.itemsOf(app.userId), outbox.getMeta("last_sync")]).then(function (found) {
      var items = found[0];
      waitingCount = items.filter(function (i) { return i.state === "waiting"; }).length;
      showBanner(items, found[1]);
      markPage(items);
      showAllCounts(items);
    });
  }

  // ------------------------------------------------------------- the offline deliver panel
  function showOfflinePanel(form) {
    var panel = document.getElementById("deliver-panel");
    var template = document.getElementById("offline-deliver-panel");
    var trackingId = field(form, "tracking_id");
    var row = rowsFor(trackingId)[0];
    if (!panel || !template) { return; }
    if (!row) {
      say(form, interpolate(gettext("%(tracking)s is not one of your packages. Check the label and scan again."), { tracking: trackingId }), true);
      return;
    }
    var copy = template.content.cloneNode(true);
    copy.querySelectorAll("[data-tracking-id]").forEach(function (node) { node.dataset.trackingId = trackingId; });
    copy.querySelectorAll("form").forEach(function (f) { f.action = f.getAttribute("action").replace("__TRACKING__", encodeURIComponent(trackingId)); });
    copy.querySelector("#deliver-heading .mono").textContent = trackingId;
    copy.querySelector("[data-package-address]").textContent = row.dataset.address || "";
    panel.replaceChildren(copy);
    panel.querySelector("#deliver-heading").focus();
  }

  // ------------------------------------------------------------- sending
  var sending = false;
  var sendAgain = false;  // an action kept while a send was under way
  var FIRST_RETRY_MS = 2000;
  var retryDelay = FIRST_RETRY_MS;

  function requestSend() {
    if (!navigator.onLine) { return; }
    if (sending) { sendAgain = true; return; }
    sending = true;
    sendAgain = false;
    outbox.setMeta("csrf", csrfToken()).then(function () {
      return outbox.sendWaiting();
    }).then(function (sent) {
      retryDelay = FIRST_RETRY_MS;
      // Another tab or the worker held the send lock; its send may fail or miss what this
      // tab just kept, so look again soon rather than at the next half-minute round.
      if (sent === null) { setTimeout(requestSend, FIRST_RETRY_MS); return; }
      keepPages();
    }).catch(function () {
      // A cut request or a server error: try again soon, then less and less often.
      sendAgain = false;
      setTimeout(requestSend, retryDelay);
      retryDelay = Math.min(retryDelay * 2, SEND_EVERY_MS);
    }).finally(function () {
      sending = false;
      render().then(function () { if (sendAgain) { requestSend(); } });
    });
    if (navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) { return registration.sync.register(outbox.SYNC_TAG); }
      }).catch(function () {});
    }
  }

  /* After a sync, the worker keeps this page and the start page again, as they now are. */
  function keepPages() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({
        type: "keep-pages", urls: Array.from(new Set([window.location.pathname, app.startUrl]))
      });
    });
  }

  // ------------------------------------------------------------- the user and log-out
  /* The worker drops them once any page it is fetching is in (it answers on the port);
   * without a worker, or if it does not answer within 2 s, the page drops them itself. */
  function dropKeptPages() {
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    var byWorker = new Promise(function (resolve) {
      if (!worker) { resolve(); return; }
      var channel = new MessageChannel();
      channel.port1.onmessage = resolve;
      worker.postMessage({ type: "drop-pages" }, [channel.port2]);
      setTimeout(resolve, 2000);
    });
    return byWorker.then(function () {
      return window.caches ? caches.delete(outbox.PAGE_CACHE) : null;
    });
  }

  /* Pages kept for another user (signed in before on this device) are dropped. */
  function claimDevice() {
    return outbox.getMeta("user").then(function (previous) {
      var drop = previous !== undefined && previous !== app.userId ? dropKeptPages() : null;
      return Promise.all([drop, outbox.setMeta("user", app.userId), outbox.setMeta("csrf", csrfToken())]);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!app || !form.matches("[data-logout]") || form.dataset.pagesDropped) { return; }
    event.preventDefault();
    if (waitingCount && !window.confirm(interpolate(ngettext(
      "%(n)s action is not sent yet. It is sent when you log in again. Log out anyway?",
      "%(n)s actions are not sent yet. They are sent when you log in again. Log out anyway?",
      waitingCount), { n: waitingCount }))) { return; }
    Promise.all([dropKeptPages(), outbox.setMeta("user", null)]).finally(function () {
      form.dataset.pagesDropped = "1";
      form.submit();
    });
  });

  // ------------------------------------------------------------- start
  function start() {
    var body = document.body;
    if (!body.dataset.phoneApp || !outbox || !window.indexedDB) { return; }
    app = { userId: Number(body.dataset.phoneUser), startUrl: body.dataset.phoneStart };
    outbox.onChange = render;
    if (outbox.channel) { outbox.channel.onmessage = render; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(body.dataset.phoneWorker, { scope: "/" })
        .then(keepPages).catch(function () {});
    }
    window.addEventListener("online", function () { render(); requestSend(); });
    window.addEventListener("offline", render);
    claimDevice().then(render).then(requestSend);
    setInterval(requestSend, SEND_EVERY_MS);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
