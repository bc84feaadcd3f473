/* Scanning and idempotent forms, for the handoff and today pages.
 *
 * - Every form marked data-idempotent or data-scan-form gets a fresh idempotency key
 *   (crypto.randomUUID) and the device's time on each submit, so a retried request is
 *   answered once. Without JavaScript the key the server wrote into the page is used.
 * - After an htmx scan the field is cleared and focused for the next label.
 * - "Scan with the camera" uses the browser's BarcodeDetector; where it is missing the
 *   vendored barcode-detector polyfill (ZXing in WebAssembly) is loaded first.
 * Kept in a file (no inline script) so a strict Content-Security-Policy can apply.
 */
(function () {
  "use strict";

  // Django's JavaScript catalog (base.html) translates; without it the English text stays.
  function gettext(text) {
    return window.gettext ? window.gettext(text) : text;
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function stamp(form) {
    var key = form.querySelector("input[name=idempotency_key]");
    var time = form.querySelector("input[name=device_time]");
    if (key) { key.value = newKey(); }
    if (time) { time.value = new Date().toISOString(); }
  }

  // Capture phase: runs before htmx reads the form's values.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-idempotent], [data-scan-form]")) { stamp(form); }
  }, true);

  function scanField(form) {
    return form.querySelector("input[name=tracking_id]");
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-scan-form]")) { return; }
    var field = scanField(form);
    if (field) { field.value = ""; field.focus(); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var heading = event.detail.target.querySelector("#deliver-heading");
    if (heading) { heading.focus(); }
  });

  // ---------------------------------------------------------------- camera
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function detectorReady(box) {
    if ("BarcodeDetector" in window) { return Promise.resolve(); }
    return loadScript(box.dataset.polyfillSrc).then(function () {
      var wasm = box.dataset.wasmSrc;
      window.BarcodeDetectionAPI.setZXingModuleOverrides({
        locateFile: function (path, prefix) {
          return path.endsWith(".wasm") ? wasm : prefix + path;
        }
      });
    });
  }

  function startCamera(box, form, button) {
    var video = box.querySelector("[data-camera-video]");
    var last = "";
    var lastAt = 0;
    return detectorReady(box).then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    }).then(function (stream) {
      var detector = new window.BarcodeDetector();
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      button.textContent = gettext("Stop the camera");
      box.stream = stream;
      function tick() {
        if (!box.stream) { return; }
        detector.detect(video).then(function (codes) {
          var now = Date.now();
          if (codes.length && (codes[0].rawValue !== last || now - lastAt > 3000)) {
            last = codes[0].rawValue;
            lastAt = now;
            scanField(form).value = last;
            form.requestSubmit();
            // One label at a time on the today page: stop once it is read.
            if (form.matches("[data-label-form]")) { stopCamera(box, button); }
          }
        }).catch(function () {}).finally(function () { setTimeout(tick, 300); });
      }
      tick();
    });
  }

  function stopCamera(box, button) {
    if (box.stream) { box.stream.getTracks().forEach(function (t) { t.stop(); }); }
    box.stream = null;
    box.querySelector("[data-camera-video]").hidden = true;
    button.textContent = gettext("Scan with the camera");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-camera]").forEach(function (box) {
      var button = box.querySelector("[data-camera-toggle]");
      var form = box.closest("form");
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        if (box.stream) { stopCamera(box, button); return; }
        startCamera(box, form, button).catch(function () {
          button.textContent = gettext("Camera not available: type the label");
        });
      });
    });
  });
})();
