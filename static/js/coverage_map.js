// Draws a partner's coverage (the radius around the shop and the served ZIPs' centres) from
// the JSON in #coverage-map-data. The form is the source of truth; the page works without
// the map, and the shapes still draw when the tiles cannot load.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  // The area to show, worked out from the data alone: a circle's getBounds() needs a map
  // that already has a view (Leaflet projects it through the map), and this map has none yet.
  function coverageBounds(data) {
    var shop = L.latLng(data.shop.lat, data.shop.lng);
    var bounds = data.radius_m > 0 ? shop.toBounds(2 * data.radius_m) : L.latLngBounds([shop, shop]);
    data.zips.forEach(function (zip) {
      bounds.extend([zip.lat, zip.lng]);
    });
    return bounds;
  }

  function draw() {
    var element = document.getElementById("coverage-map");
    var dataElement = document.getElementById("coverage-map-data");
    if (!element || !dataElement || typeof L === "undefined") return;
    var data = JSON.parse(dataElement.textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    // Give the map its view before any layer is added: layers added to a map without a view
    // wait, unprojected, and anything that asks them for their bounds throws.
    map.fitBounds(coverageBounds(data).pad(0.1), { maxZoom: 15 });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    }
    var shop = [data.shop.lat, data.shop.lng];
    if (data.radius_m > 0) {
      L.circle(shop, { radius: data.radius_m, color: "#0b5cad", weight: 2, fillOpacity: 0.08, className: "coverage-radius" }).addTo(map);
    }
    L.circleMarker(shop, { radius: 9, color: "#084582", fillOpacity: 1, className: "coverage-shop" }).addTo(map).bindTooltip(gettext("Shop"));
    data.zips.forEach(function (zip) {
      L.circleMarker([zip.lat, zip.lng], { radius: 7, color: "#0b5cad", fillColor: "#fff", fillOpacity: 1, className: "coverage-zip" })
        .addTo(map)
        .bindTooltip(zip.label, { permanent: data.zips.length <= 40, direction: "top" });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
