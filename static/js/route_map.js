// Draws a route on a Leaflet map from the JSON in #route-map-data. The ordered list on the
// page is the source of truth; the map is a help and the page works without it (or tiles).
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  function draw() {
    var element = document.getElementById("route-map");
    var dataElement = document.getElementById("route-map-data");
    if (!element || !dataElement || typeof L === "undefined") return;
    var data = JSON.parse(dataElement.textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    }
    var shop = [data.shop.lat, data.shop.lng];
    var path = [shop];
    L.circleMarker(shop, { radius: 9, color: "#084582", fillOpacity: 1 }).addTo(map).bindTooltip(gettext("Start"));
    data.stops.forEach(function (stop) {
      var point = [stop.lat, stop.lng];
      path.push(point);
      L.circleMarker(point, { radius: 7, color: "#0b5cad", fillColor: "#fff", fillOpacity: 1 })
        .addTo(map)
        .bindTooltip(stop.label, { permanent: data.stops.length <= 40, direction: "top" });
    });
    if (element.dataset.closed === "true") path.push(shop);
    L.polyline(path, { color: "#0b5cad", weight: 3 }).addTo(map);
    map.fitBounds(L.latLngBounds(path).pad(0.1));
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
