/* Maps of delivery pages: the node's own geometry (zones, depot, rounds, stops) from the page's
   data; tiles only when the operator set a tile server. Every label is put into the page as
   text, never as HTML: names (a courier's, a shop's) are chosen by people. */
(function () {
  "use strict";
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  function lines(values) {
    var box = document.createElement("div");
    values.forEach(function (value, index) {
      if (!value) return;
      var line = document.createElement(index === 0 ? "strong" : "div");
      line.textContent = String(value);
      box.appendChild(line);
    });
    return box;
  }
  function draw() {
    var el = document.getElementById("map"), source = document.getElementById("map-data");
    if (!el || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { attributionControl: Boolean(data.tiles) });
    if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
    var bounds = L.latLngBounds([]), zoneBounds = L.latLngBounds([]);
    data.zones.forEach(function (zone) {
      var polygon = L.polygon(zone.ring, { color: "#2b6e4f", weight: 2, fillOpacity: 0.08, dashArray: "6 4" })
        .addTo(map).bindTooltip(text(zone.name));
      zoneBounds.extend(polygon.getBounds());
    });
    (data.rounds || []).forEach(function (round) {
      if (round.path.length < 2) return;
      var line = L.polyline(round.path, {
        color: round.colour, weight: 4, opacity: 0.85, dashArray: round.method === "road" ? null : "8 6"
      }).addTo(map).bindTooltip(text(round.name), { sticky: true });
      bounds.extend(line.getBounds());
    });
    if (data.depot) {
      var depot = L.marker([data.depot.lat, data.depot.lon], { title: data.depot.name, alt: data.depot.name })
        .addTo(map).bindPopup(lines([data.depot.name]));
      bounds.extend(depot.getLatLng());
    }
    data.stops.forEach(function (stop) {
      var pickup = stop.kind === "pickup";
      var marker = L.circleMarker([stop.lat, stop.lon], {
        radius: stop.active ? 10 : (pickup ? 8 : 6), weight: pickup ? 3 : 2,
        fillOpacity: stop.active ? 0.9 : (pickup ? 0.2 : 0.7),
        color: stop.colour || (pickup ? "#8a4b08" : "#1f4e8c"),
        fillColor: pickup ? "#ffffff" : (stop.colour || "#1f4e8c")
      }).addTo(map).bindTooltip(text(stop.label));
      if (stop.popup) marker.bindPopup(lines(stop.popup));
      bounds.extend(marker.getLatLng());
    });
    // Fit what the person works on (the rounds, the stops); the zones alone when there is nothing else.
    function fit() {
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
      else if (zoneBounds.isValid()) map.fitBounds(zoneBounds, { padding: [20, 20] });
      else map.setView([47.056, 6.004], 13);
    }
    fit();
    // A map drawn inside a closed <details> has no size yet: measure again when it opens.
    var folded = el.closest("details");
    if (folded) folded.addEventListener("toggle", function () { if (folded.open) { map.invalidateSize(); fit(); } });
    var field = el.dataset.draw && document.getElementById("id_" + el.dataset.draw);
    if (field) drawZone(map, field);
    var pin = el.dataset.pin && document.getElementById(el.dataset.pin);
    if (pin) placePin(map, pin);
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
  // Tap the map to place the delivery pin: fills the form's latitude and longitude fields.
  function placePin(map, box) {
    var lat = box.querySelector("[name=lat]"), lon = box.querySelector("[name=lon]"), marker = null;
    if (!lat || !lon) return;
    function put(latlng) {
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { alt: box.dataset.pinLabel || "" }).addTo(map);
    }
    if (lat.value && lon.value) put([Number(lat.value.replace(",", ".")), Number(lon.value.replace(",", "."))]);
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      put(event.latlng);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
