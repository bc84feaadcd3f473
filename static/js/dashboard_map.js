// Pins every partner from #partner-map-data on a Leaflet map, coloured by status. The table
// "Partners by status" next to it has the same counts; the page works without the map.
(function () {
  "use strict";
  function draw() {
    var element = document.getElementById("partner-map");
    var dataElement = document.getElementById("partner-map-data");
    if (!element || !dataElement || typeof L === "undefined") return;
    var data = JSON.parse(dataElement.textContent);
    document.querySelectorAll(".legend-dot[data-colour]").forEach(function (dot) {
      dot.style.backgroundColor = dot.dataset.colour;
    });
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    }
    var bounds = [];
    data.points.forEach(function (point) {
      var where = [point.lat, point.lng];
      bounds.push(where);
      L.circleMarker(where, { radius: 7, color: point.colour, fillColor: point.colour, fillOpacity: 0.8 })
        .addTo(map)
        .bindTooltip(point.name + " (" + point.status + ")");
    });
    if (bounds.length) {
      map.fitBounds(L.latLngBounds(bounds).pad(0.1));
    } else {
      map.setView([39.8, -98.6], 3);
    }
    element.dataset.markers = String(bounds.length);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
