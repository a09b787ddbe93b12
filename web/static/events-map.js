// peaceops events maps: the map page (base map, admin boundaries, events
// aggregated in grid cells by the server, filters applied in place) and the
// small maps of the event pages (a marker; a click picks the coordinates of
// a new event). Loaded after vendor/leaflet/leaflet.js.
//
// No tile server: the base map is the Natural Earth GeoJSON served by
// peaceops (/api/v1/basemap.geojson) and the admin boundaries come from
// /api/v1/areas, so maps work with no internet at all. Every element is
// styled by class (app.css) or by Leaflet through the CSSOM, which the
// Content-Security-Policy allows; nothing here writes a style attribute or
// runs inline code. Texts come translated in data-t-* attributes.
(function () {
  "use strict";
  if (!window.L) return;

  var COLORS = { land: "#ece8df", host: "#fbfaf7", border: "#a39d90", admin1: "#4f5d70", admin2: "#8795a8" };

  // ---- helpers -----------------------------------------------------------

  function getJSON(url, signal) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: signal })
      .then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
  }

  function getHTML(url, signal) {
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" }, signal: signal })
      .then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.text();
      });
  }

  // t returns the translation the page put in data-t-<key>, formatting %d
  // and %s in order.
  function translator(el) {
    return function (key) {
      var s = el.getAttribute("data-t-" + key) || key;
      var args = Array.prototype.slice.call(arguments, 1);
      return s.replace(/%[ds]/g, function () { return args.length ? String(args.shift()) : ""; });
    };
  }

  function fmt(n, lang) {
    try { return Number(n).toLocaleString(lang); } catch (e) { return String(n); }
  }

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // severity is the colour class of a number of fatalities per event: a
  // cell is coloured by its average, so a large cell of many minor events
  // does not look like a massacre.
  function severity(perEvent) {
    if (perEvent >= 20) return 4;
    if (perEvent >= 5) return 3;
    if (perEvent > 0) return 2;
    return 1;
  }
  var SEVERITY_COLORS = { 1: "#4a6fa5", 2: "#e0a100", 3: "#e8590c", 4: "#c92a2a" };

  // ---- the base map shared by every map ----------------------------------

  var basemapData; // one fetch per page, shared by its maps
  function basemap() {
    if (!basemapData) basemapData = getJSON("/api/v1/basemap.geojson");
    return basemapData;
  }

  // newMap makes a Leaflet map on el with the base map, the host country
  // and its admin boundaries. It resolves to {map, mission, admin1, admin2,
  // bounds} once the mission and its first-level areas are known.
  function newMap(el, opts) {
    opts = opts || {};
    var t = translator(el);
    var map = L.map(el, {
      preferCanvas: true, zoomSnap: 0.5, minZoom: 2, maxZoom: 15,
      zoomControl: true, attributionControl: true, worldCopyJump: false,
      scrollWheelZoom: opts.scrollWheelZoom !== false,
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(t("attribution"));
    map.createPane("basemap").style.zIndex = 200;
    map.createPane("areas").style.zIndex = 350;
    var labelPane = map.createPane("labels");
    labelPane.style.zIndex = 380;
    labelPane.style.pointerEvents = "none";
    map.createPane("deployments").style.zIndex = 400;
    map.createPane("hq").style.zIndex = 420;
    map.createPane("events").style.zIndex = 450;
    map.setView([5, 20], 3);
    // The container may change size after the map is made (fonts, the
    // filter panel, a scrollbar): keep the map's idea of its size right.
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize({ animate: false }); }).observe(el);

    var api = el.getAttribute("data-api");
    var out = { map: map, t: t };
    var missionReq = getJSON(api).catch(function () { return {}; });
    return Promise.all([basemap(), missionReq]).then(function (res) {
      var world = res[0], mission = res[1];
      out.mission = mission;
      var host = mission.host_country || "";
      L.geoJSON(world, {
        pane: "basemap", interactive: false,
        style: function (f) {
          var isHost = f.properties && f.properties.iso_a3 === host;
          return { fillColor: isHost ? COLORS.host : COLORS.land, fillOpacity: 1, color: COLORS.border, weight: isHost ? 1.6 : 0.8 };
        },
      }).addTo(map);
      if (!host) return out;
      out.admin1 = areaLayer(host, 1, 0.002, { color: COLORS.admin1, weight: 1.3 }, 6);
      out.admin2 = areaLayer(host, 2, 0.001, { color: COLORS.admin2, weight: 0.8, dashArray: "3 3" }, 8.5);
      out.admin1.layer.addTo(map);
      if (opts.admin2) out.admin2.layer.addTo(map);
      labelsByZoom(map, [out.admin1, out.admin2]);
      if (mission.hq && mission.hq.location) {
        var hq = mission.hq.location;
        L.marker([hq.lat, hq.lon], {
          pane: "hq", keyboard: false, title: t("hq") + (mission.hq.name ? ": " + mission.hq.name : ""),
          icon: L.divIcon({ className: "map-hq", html: "<span>HQ</span>", iconSize: null }),
        }).addTo(map);
      }
      return out.admin1.loaded.then(function (bounds) {
        out.bounds = bounds;
        return out;
      });
    });
  }

  // areaLayer is the boundary layer of one admin level, fetched the first
  // time it is shown, with its names as labels shown from minZoom on.
  function areaLayer(country, level, simplify, style, minZoom) {
    var group = L.layerGroup();
    var labels = L.layerGroup();
    var resolve;
    var a = { layer: group, labels: labels, minZoom: minZoom, loaded: new Promise(function (r) { resolve = r; }) };
    var started = false;
    group.on("add", function () {
      if (started) return;
      started = true;
      getJSON("/api/v1/areas?country=" + encodeURIComponent(country) + "&level=" + level + "&simplify=" + simplify)
        .then(function (fc) {
          var gj = L.geoJSON(fc, {
            pane: "areas", interactive: false,
            style: function () { return Object.assign({ fill: false, opacity: 0.9 }, style); },
          });
          group.addLayer(gj);
          (fc.features || []).forEach(function (f) {
            var c = f.properties && f.properties.centroid;
            if (!c) return;
            labels.addLayer(L.marker([c[1], c[0]], {
              pane: "labels", interactive: false, keyboard: false,
              icon: L.divIcon({ className: "map-label map-label-" + level, html: "", iconSize: null }),
            }).on("add", function (e) { e.target.getElement().textContent = f.properties.name; }));
          });
          group.fire("loaded");
          resolve(fc.features && fc.features.length ? gj.getBounds() : null);
        })
        .catch(function () { resolve(null); });
    });
    return a;
  }

  // labelsByZoom shows the names of a level's areas while its boundaries
  // are shown and the map is zoomed in enough to read them.
  function labelsByZoom(map, levels) {
    function update() {
      levels.forEach(function (a) {
        var show = map.hasLayer(a.layer) && map.getZoom() >= a.minZoom;
        if (show && !map.hasLayer(a.labels)) a.labels.addTo(map);
        if (!show && map.hasLayer(a.labels)) map.removeLayer(a.labels);
      });
    }
    map.on("zoomend overlayadd overlayremove", update);
    levels.forEach(function (a) { a.layer.on("loaded add remove", update); });
    update();
  }

  // ---- the map page ------------------------------------------------------

  // filterQuery returns the query string of the filter form: its non-empty
  // fields, repeated ones (type, status) once per checked box.
  function filterQuery(form, drop) {
    var q = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (v === "" || (drop && drop.indexOf(k) >= 0)) return;
      q.append(k, v);
    });
    return q;
  }

  function eventsPage(mapEl) {
    var t = translator(mapEl);
    var lang = document.documentElement.lang || "en";
    var api = mapEl.getAttribute("data-api");
    var pages = mapEl.getAttribute("data-pages");
    var form = document.getElementById("event-filters");
    var status = document.getElementById("map-status");
    var list = document.getElementById("event-list");
    var histEl = document.querySelector("[data-events-histogram]");
    var initialView = readHash();
    mapEl.hidden = false;
    if (status && status.parentNode) status.parentNode.hidden = false;

    newMap(mapEl, { admin2: false }).then(function (m) {
      var map = m.map;
      var events = L.layerGroup([], { pane: "events" }).addTo(map);
      var overlays = {};
      if (m.admin1) {
        overlays[t("admin1")] = m.admin1.layer;
        overlays[t("admin2")] = m.admin2.layer;
      }
      var sites = deploymentsLayer(api, t, lang, function () { return form.elements.to.value; });
      sites.layer.addTo(map);
      overlays[t("deployments")] = sites.layer;
      overlays[t("events")] = events;
      L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
      legend(t).addTo(map);
      L.control.scale({ imperial: false }).addTo(map);

      if (initialView) map.setView([initialView.lat, initialView.lon], initialView.zoom);
      else if (m.bounds) map.fitBounds(m.bounds, { padding: [12, 12] });

      var inflight = null;
      function refresh() {
        if (inflight) inflight.abort();
        inflight = new AbortController();
        var b = map.getBounds();
        var q = filterQuery(form, ["cursor", "limit"]);
        q.set("bbox", [
          Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()),
          Math.min(180, b.getEast()), Math.min(90, b.getNorth()),
        ].map(function (x) { return x.toFixed(5); }).join(","));
        q.set("zoom", String(Math.round(map.getZoom())));
        status.classList.add("loading");
        getJSON(api + "/events/grid?" + q.toString(), inflight.signal)
          .then(function (res) {
            drawCells(map, events, (res.cells || []).map(normalCell), t, lang, pages, q);
            status.classList.remove("loading");
          })
          .catch(function (err) {
            if (err.name === "AbortError") return;
            status.classList.remove("loading");
            status.textContent = t("failed");
          });
      }
      var refreshSoon = debounce(refresh, 250);
      map.on("moveend", function () {
        writeHash(map);
        refreshSoon();
      });
      refresh();

      var hist = null;
      if (histEl && window.PeaceopsCharts) {
        hist = window.PeaceopsCharts.histogram(histEl, {
          api: api, lang: lang,
          query: function () { return filterQuery(form, ["from", "to", "cursor", "limit"]); },
          range: function () { return [form.elements.from.value, form.elements.to.value]; },
          onRange: function (from, to) {
            form.elements.from.value = from;
            form.elements.to.value = to;
            apply(false);
          },
        });
      }

      // apply shows the form's filters without reloading the page: the
      // address, the map, the list below and (when other filters than the
      // dates changed) the histogram.
      function apply(histogramToo) {
        var q = filterQuery(form, ["cursor"]);
        var url = location.pathname + (q.toString() ? "?" + q.toString() : "");
        history.replaceState(null, "", url + location.hash);
        // Links to the list and the dashboard keep the filters.
        document.querySelectorAll("[data-keep-filters]").forEach(function (a) {
          a.search = q.toString();
        });
        refresh();
        sites.update();
        if (list) {
          list.setAttribute("aria-busy", "true");
          getHTML(url).then(function (html) {
            list.innerHTML = html;
            list.removeAttribute("aria-busy");
          }).catch(function () { location.assign(url); });
        }
        if (histogramToo && hist) hist.reload();
        else if (hist) hist.select();
      }
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        apply(true);
      });
    });
  }

  // deploymentsLayer is the mission's deployment sites (GET deployments) of
  // the year the date filter ends in, or the latest year known: a circle per
  // site sized by its troops, headquarters outlined, details on hover. It is
  // fetched when first shown and again when the year changes.
  function deploymentsLayer(api, t, lang, toDate) {
    var layer = L.layerGroup([], { pane: "deployments" });
    var shownYear = null, years = null, busy = false;
    function wantYear() {
      var y = parseInt((toDate() || "").slice(0, 4), 10);
      if (!years || !years.length) return isNaN(y) ? 0 : y;
      if (isNaN(y) || y > years[years.length - 1]) return years[years.length - 1];
      var pick = years[0];
      years.forEach(function (k) { if (k <= y) pick = k; });
      return pick;
    }
    function update() {
      if (!layer._map || busy) return;
      var y = wantYear();
      if (y === shownYear && years) return;
      busy = true;
      getJSON(api + "/deployments" + (y ? "?year=" + y : "")).then(function (d) {
        busy = false;
        years = d.years || [];
        shownYear = y;
        layer.clearLayers();
        (d.sites || []).forEach(function (s) { layer.addLayer(siteMarker(s, d.year, t, lang)); });
        if (wantYear() !== y) update();
      }).catch(function () { busy = false; });
    }
    layer.on("add", update);
    return { layer: layer, update: update };
  }

  function siteMarker(s, year, t, lang) {
    var r = 4 + Math.sqrt(Math.max(0, s.troops || 0)) / 4;
    var mk = L.circleMarker([s.location.lat, s.location.lon], {
      pane: "deployments", radius: Math.min(r, 22), weight: s.hq ? 2.5 : 1.2,
      color: s.hq ? "#102a43" : "#1c7ed6", fillColor: "#74c0fc", fillOpacity: 0.45,
    });
    // Built as DOM text, never as HTML: the names come from data.
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = s.name + " (" + year + ")";
    box.appendChild(title);
    function line(text) {
      if (!text) return;
      var p = document.createElement("div");
      p.textContent = text;
      box.appendChild(p);
    }
    line(s.hq ? t("site-hq-" + s.hq) : "");
    line(s.troops ? t("site-troops", fmt(s.troops, lang)) : "");
    line((s.units || []).map(function (u) { return t("unit-" + u); }).join(", "));
    line(s.contributors || "");
    var src = t("site-source-" + s.source);
    line(src.indexOf("site-source-") === 0 ? s.source : src);
    mk.bindTooltip(box, { direction: "top", sticky: true });
    return mk;
  }

  // normalCell flattens a cell of GET events/grid.
  function normalCell(c) {
    return { lon: c.center.lon, lat: c.center.lat, bbox: c.bbox, count: c.count, fatalities: c.fatalities || 0, id: c.event_id || "" };
  }

  function sizeClass(n) {
    if (n >= 1000) return 4;
    if (n >= 100) return 3;
    if (n >= 10) return 2;
    return 1;
  }

  function drawCells(map, layer, cells, t, lang, pages, q) {
    layer.clearLayers();
    var total = 0, dead = 0;
    cells.forEach(function (c) {
      total += c.count;
      dead += c.fatalities;
      var sev = severity(c.count ? c.fatalities / c.count : 0);
      if (c.count === 1 && c.id) {
        var mk = L.circleMarker([c.lat, c.lon], {
          pane: "events", radius: 7, weight: 1.5, color: "#ffffff",
          fillColor: SEVERITY_COLORS[sev], fillOpacity: 0.95,
        });
        // Popups belong to the map, not to the markers, which the next
        // refresh (the pan that shows the popup, for one) replaces.
        mk.on("click", function () {
          var popup = L.popup({ maxWidth: 320, minWidth: 240, className: "map-popup" })
            .setLatLng([c.lat, c.lon]).setContent(t("loading")).openOn(map);
          eventPopup(popup, pages, c.id, t);
        });
        mk.bindTooltip(t("fatalities-n", fmt(c.fatalities, lang)), { direction: "top", offset: [0, -6] });
        layer.addLayer(mk);
        return;
      }
      var icon = L.divIcon({
        className: "map-cell sev-" + sev + " size-" + sizeClass(c.count),
        html: "<span>" + (c.count >= 10000 ? Math.round(c.count / 1000) + "k" : fmt(c.count, lang)) + "</span>",
        iconSize: null,
      });
      var m = L.marker([c.lat, c.lon], { icon: icon, pane: "events", title: t("cell", fmt(c.count, lang), fmt(c.fatalities, lang)), riseOnHover: true });
      m.on("click", function () {
        var bb = c.bbox;
        var tiny = !bb || (Math.abs(bb[2] - bb[0]) < 1e-4 && Math.abs(bb[3] - bb[1]) < 1e-4);
        if (tiny || map.getZoom() >= map.getMaxZoom() - 0.5) {
          L.popup({ maxWidth: 300, className: "map-popup" }).setLatLng([c.lat, c.lon])
            .setContent(cellPopup(c, t, lang, pages, q)).openOn(map);
          return;
        }
        map.fitBounds([[bb[1], bb[0]], [bb[3], bb[2]]], { padding: [40, 40], maxZoom: map.getZoom() + 3 });
      });
      layer.addLayer(m);
    });
    var status = document.getElementById("map-status");
    if (status) status.textContent = total === 0 ? t("none") : t("in-view", fmt(total, lang), fmt(dead, lang));
  }

  // cellPopup lists what a cell holds and links to those events in the list.
  function cellPopup(c, t, lang, pages, q) {
    var box = el("div", "map-popup");
    box.appendChild(el("p", "map-popup-title", t("cell", fmt(c.count, lang), fmt(c.fatalities, lang))));
    var lq = new URLSearchParams(q);
    lq.delete("zoom");
    var bb = c.bbox || [c.lon, c.lat, c.lon, c.lat];
    var pad = 0.0005;
    lq.set("bbox", [bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad].map(function (x) { return x.toFixed(5); }).join(","));
    var a = el("a", "button small", t("show-list"));
    a.href = pages + "/events?" + lq.toString();
    box.appendChild(a);
    return box;
  }

  // eventPopup loads the summary of one event into popup, rendered by the
  // server in the user's language (setContent re-pans the map to show it).
  function eventPopup(popup, pages, id, t) {
    getHTML(pages + "/events/" + encodeURIComponent(id) + "?part=popup")
      .then(function (html) { popup.setContent(html); })
      .catch(function () { popup.setContent(t("failed")); });
  }

  function legend(t) {
    var c = L.control({ position: "bottomleft" });
    c.onAdd = function () {
      var box = el("div", "map-legend");
      box.appendChild(el("p", "map-legend-title", t("legend")));
      [1, 2, 3, 4].forEach(function (sev) {
        var row = el("div", "map-legend-row");
        row.appendChild(el("span", "map-swatch sev-" + sev));
        row.appendChild(el("span", null, t("sev-" + sev)));
        box.appendChild(row);
      });
      return box;
    };
    return c;
  }

  // The map view lives in the address (#zoom/lat/lon), so a reload, a
  // shared link or a filter applied without script keeps it.
  function readHash() {
    var m = /^#(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(location.hash);
    if (!m) return null;
    return { zoom: +m[1], lat: +m[2], lon: +m[3] };
  }

  function writeHash(map) {
    var c = map.getCenter();
    var h = "#" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
    history.replaceState(null, "", location.pathname + location.search + h);
    var form = document.getElementById("event-filters");
    if (form) form.setAttribute("action", form.getAttribute("action").split("#")[0] + h);
  }

  // ---- small maps: one event, or a coordinate picker ---------------------

  function miniMap(el) {
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    var pick = el.hasAttribute("data-pick");
    el.hidden = false;
    newMap(el, { scrollWheelZoom: false }).then(function (m) {
      var map = m.map;
      var marker = null;
      function place(la, lo, zoomTo) {
        if (marker) marker.setLatLng([la, lo]);
        else {
          marker = L.circleMarker([la, lo], { pane: "events", radius: 8, weight: 2, color: "#ffffff", fillColor: "#c92a2a", fillOpacity: 1 }).addTo(map);
        }
        if (zoomTo) map.setView([la, lo], Math.max(map.getZoom(), 8));
      }
      if (!isNaN(lat) && !isNaN(lon)) {
        place(lat, lon, false);
        map.setView([lat, lon], 7);
      } else if (m.bounds) {
        map.fitBounds(m.bounds, { padding: [8, 8] });
      }
      if (!pick) return;
      var latIn = document.getElementById(el.getAttribute("data-lat-input"));
      var lonIn = document.getElementById(el.getAttribute("data-lon-input"));
      map.on("click", function (e) {
        var p = e.latlng.wrap();
        latIn.value = p.lat.toFixed(5);
        lonIn.value = p.lng.toFixed(5);
        place(p.lat, p.lng, false);
      });
      function typed() {
        var la = parseFloat(String(latIn.value).replace(",", "."));
        var lo = parseFloat(String(lonIn.value).replace(",", "."));
        if (!isNaN(la) && !isNaN(lo) && Math.abs(la) <= 90 && Math.abs(lo) <= 180) place(la, lo, true);
      }
      latIn.addEventListener("change", typed);
      lonIn.addEventListener("change", typed);
    });
  }

  document.querySelectorAll("[data-events-map]").forEach(eventsPage);
  document.querySelectorAll("[data-mini-map]").forEach(miniMap);
})();
