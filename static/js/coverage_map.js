// Draws a partner's coverage (the radius around the shop and the served ZIPs' centres) from
// the JSON in #coverage-map-data. The form is the source of truth; the page works without
// the map, and the shapes still draw when the tiles cannot load.
(function () {
  "use strict";
  function draw() {
    var element = document.getElementById("coverage-map");
    var dataElement = document.getElementById("coverage-map-data");
    if (!element || !dataElement || typeof L === "undefined") return;
    var data = JSON.parse(dataElement.textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    }
    var shop = [data.shop.lat, data.shop.lng];
    var bounds = L.latLngBounds([shop]);
    L.circleMarker(shop, { radius: 9, color: "#084582", fillOpacity: 1 }).addTo(map).bindTooltip("Shop");
    if (data.radius_m > 0) {
      var circle = L.circle(shop, { radius: data.radius_m, color: "#0b5cad", weight: 2, fillOpacity: 0.08 }).addTo(map);
      bounds.extend(circle.getBounds());
    }
    data.zips.forEach(function (zip) {
      var point = [zip.lat, zip.lng];
      bounds.extend(point);
      L.circleMarker(point, { radius: 7, color: "#0b5cad", fillColor: "#fff", fillOpacity: 1 })
        .addTo(map)
        .bindTooltip(zip.label, { permanent: data.zips.length <= 40, direction: "top" });
    });
    map.fitBounds(bounds.pad(0.1));
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
