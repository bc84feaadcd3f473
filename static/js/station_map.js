// A station's map pin: placed at the latitude and longitude fields, or at the ZIP's centre
// once the server has filled them in; dragging the pin writes the fields. The form is the
// source of truth and works without this script.
(function () {
  "use strict";
  function field(name) {
    return document.querySelector("[data-station-" + name + "]");
  }

  function draw() {
    var element = document.getElementById("station-map");
    var lat = field("lat");
    var lng = field("lng");
    if (!element || !lat || !lng || typeof L === "undefined") return;
    var latitude = parseFloat(lat.value);
    var longitude = parseFloat(lng.value);
    if (isNaN(latitude) || isNaN(longitude)) {
      element.hidden = true;
      return;
    }
    var map = L.map(element, { scrollWheelZoom: false }).setView([latitude, longitude], 14);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    }
    var pin = L.marker([latitude, longitude], { draggable: true, keyboard: true }).addTo(map);
    pin.on("dragend", function () {
      var point = pin.getLatLng();
      lat.value = point.lat.toFixed(6);
      lng.value = point.lng.toFixed(6);
    });
    function follow() {
      var a = parseFloat(lat.value);
      var b = parseFloat(lng.value);
      if (!isNaN(a) && !isNaN(b)) {
        pin.setLatLng([a, b]);
        map.panTo([a, b]);
      }
    }
    lat.addEventListener("change", follow);
    lng.addEventListener("change", follow);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
