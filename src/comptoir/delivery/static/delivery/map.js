/* Maps of delivery pages: zones and stops from the page's own data; tiles only when the operator set a tile server. */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("map"), source = document.getElementById("map-data");
    if (!el || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { attributionControl: Boolean(data.tiles) });
    if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
    var bounds = L.latLngBounds([]);
    data.zones.forEach(function (zone) {
      var polygon = L.polygon(zone.ring, { color: "#2b6e4f", weight: 2, fillOpacity: 0.08 }).addTo(map).bindTooltip(zone.name);
      bounds.extend(polygon.getBounds());
    });
    data.stops.forEach(function (stop) {
      var marker = L.circleMarker([stop.lat, stop.lon], {
        radius: stop.active ? 10 : 6, weight: 2, fillOpacity: stop.active ? 0.9 : 0.5,
        color: stop.kind === "pickup" ? "#8a4b08" : "#1f4e8c"
      }).addTo(map).bindTooltip(stop.label);
      bounds.extend(marker.getLatLng());
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] }); else map.setView([47.056, 6.004], 13);
    var field = el.dataset.draw && document.getElementById("id_" + el.dataset.draw);
    if (field) drawZone(map, field);
  }
  // Click corners on the map to fill the zone form's GeoJSON polygon.
  function drawZone(map, field) {
    var corners = [], shape = null;
    map.on("click", function (event) {
      corners.push([Number(event.latlng.lng.toFixed(6)), Number(event.latlng.lat.toFixed(6))]);
      if (shape) map.removeLayer(shape);
      shape = L.polygon(corners.map(function (c) { return [c[1], c[0]]; }), { color: "#8a4b08" }).addTo(map);
      if (corners.length >= 3) {
        field.value = JSON.stringify({ type: "Polygon", coordinates: [corners.concat([corners[0]])] });
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
