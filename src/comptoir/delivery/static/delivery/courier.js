/* The courier's actions survive network losses: each is queued in localStorage with the
   time it happened and an id, and sent when the network is back; the server applies each id once. */
(function () {
  "use strict";
  var root = document.getElementById("round");
  if (!root) return;
  var KEY = "comptoir-actions-" + root.dataset.round;
  var NOTE = "comptoir-sync-note";
  var url = root.dataset.url;
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var sync = document.getElementById("sync");
  var sending = false;

  function load() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function show(text) { sync.textContent = text; }
  function waiting() { var n = load().length; if (n) show(root.dataset.waiting.replace("%s", n)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function flush() {
    var queue = load();
    if (!queue.length || sending) return;
    sending = true;
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ actions: queue })
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      var sent = {};
      data.results.forEach(function (r) { sent[r.id] = true; });
      save(load().filter(function (a) { return !sent[a.id]; }));
      // What the server said is what the courier sees: a refusal is never shown as done.
      var refused = data.results.filter(function (r) { return r.result === "refused"; });
      var applied = data.results.filter(function (r) { return r.result === "applied" && r.message; });
      var said = refused.length ? refused : applied;
      if (said.length) {
        sessionStorage.setItem(NOTE, JSON.stringify({
          error: refused.length > 0, text: said.map(function (r) { return r.message; }).join(" ")
        }));
      }
      var moved = queue.some(function (a) { return a.kind !== "position"; });
      if (moved) window.location.reload(); else waiting();
    }).catch(function () {
      waiting();
    }).finally(function () { sending = false; });
  }

  function queueActions(actions) {
    var queue = load(), at = new Date().toISOString();
    actions.forEach(function (action) { action.id = uuid(); action.happened_at = at; queue.push(action); });
    save(queue);
    waiting();
    flush();
  }
  function queueAction(action) { queueActions([action]); }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form.action");
    if (!form) return;
    event.preventDefault();
    var action = { kind: form.dataset.kind, stop_id: Number(form.dataset.stop) };
    // A shop's parcels collected together: one action per parcel, each with its own code and id.
    var perParcel = form.querySelectorAll("[name=code][data-stop]");
    if (perParcel.length) {
      var actions = Array.prototype.map.call(perParcel, function (input) {
        return { kind: form.dataset.kind, stop_id: Number(input.dataset.stop), code: input.value.trim() };
      });
      form.querySelectorAll("button, input, select").forEach(function (e) { e.disabled = true; });
      queueActions(actions);
      return;
    }
    var code = form.querySelector("[name=code]");
    if (code) action.code = code.value.trim();
    var reason = form.querySelector("[name=reason]");
    if (reason) action.reason = reason.value;
    var pad = form.querySelector("canvas.signature");
    if (pad && pad.dataset.signed && !action.code) action.signature = pad.toDataURL("image/png");
    form.querySelectorAll("button, input, select").forEach(function (e) { e.disabled = true; });
    queueAction(action);
  });

  root.querySelectorAll("canvas.signature").forEach(function (pad) {
    var ctx = pad.getContext("2d"), drawing = false;
    function at(e) { var r = pad.getBoundingClientRect(); return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height]; }
    pad.addEventListener("pointerdown", function (e) { drawing = true; ctx.beginPath(); ctx.moveTo.apply(ctx, at(e)); });
    pad.addEventListener("pointermove", function (e) { if (drawing) { ctx.lineTo.apply(ctx, at(e)); ctx.stroke(); pad.dataset.signed = "1"; } });
    window.addEventListener("pointerup", function () { drawing = false; });
    var clear = pad.parentNode.querySelector(".clear-signature");
    if (clear) clear.addEventListener("click", function () { ctx.clearRect(0, 0, pad.width, pad.height); delete pad.dataset.signed; });
  });

  var share = document.getElementById("share-position"), lastSent = 0;
  if (share && navigator.geolocation) {
    var watch = null;
    share.addEventListener("change", function () {
      if (!share.checked) { if (watch !== null) navigator.geolocation.clearWatch(watch); return; }
      watch = navigator.geolocation.watchPosition(function (p) {
        if (Date.now() - lastSent < 60000) return;
        lastSent = Date.now();
        queueAction({ kind: "position", lat: p.coords.latitude, lon: p.coords.longitude });
      });
    });
  }

  var note = sessionStorage.getItem(NOTE), box = document.getElementById("sync-note");
  if (note && box) {
    try { note = JSON.parse(note); } catch (e) { note = { error: true, text: String(note) }; }
    box.textContent = note.text;
    box.classList.toggle("error", Boolean(note.error));
    box.hidden = false;
    sessionStorage.removeItem(NOTE);
  }
  waiting();
  window.addEventListener("online", flush);
  window.setInterval(flush, 4000);
  flush();
})();
