// The application's pin on a Leaflet map. Without tiles (no MAP_TILE_URL, offline) the pin
// still shows on a blank map, and without JavaScript the coordinates stay as text.
document.addEventListener("DOMContentLoaded", function () {
  const gettext = window.gettext || ((s) => s);
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") return;
  var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)];
  element.classList.add("map-live");
  var map = L.map(element).setView(point, 13);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
  }
  // Icon URLs come from the template, so they follow the hashed static file names.
  var icon = L.icon({
    iconUrl: element.dataset.icon, iconRetinaUrl: element.dataset.icon2x, shadowUrl: element.dataset.shadow,
    iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], shadowSize: [41, 41]
  });
  L.marker(point, { icon: icon }).addTo(map).bindPopup(gettext("ZIP centroid"));
});
