// peaceops personnel: deployed strength per ceiling category over time
// (lines) against the authorised ceilings (dashed), drawn with uPlot
// (vendor/uplot) from GET /api/v1/missions/{code}/strength. CSP-safe: no
// inline code; settings and translated texts come in data- attributes.
(function () {
  "use strict";
  if (!window.uPlot) return;
  var cats = ["military", "military_observers", "police_fpu", "police_ipo"];
  var colours = ["#1f5f99", "#c0392b", "#2e8b57", "#8e44ad"];

  function monthSec(m) {
    var p = /^(\d{4})-(\d{2})$/.exec(m || "");
    return p ? Date.UTC(+p[1], +p[2] - 1, 1) / 1000 : NaN;
  }

  function draw(el) {
    var t = function (k) { return el.getAttribute("data-t-" + k) || k; };
    var plot = el.querySelector(".histogram-plot");
    fetch(el.getAttribute("data-api"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        var items = body.items || [];
        if (!items.length) return;
        var xs = [], series = [{}], data = [xs];
        items.forEach(function (p) { xs.push(monthSec(p.month)); });
        cats.forEach(function (c, i) {
          data.push(items.map(function (p) { return (p.deployed && p.deployed[c]) || 0; }));
          series.push({ label: t(c), stroke: colours[i], width: 2 });
          data.push(items.map(function (p) { return p.ceilings && c in p.ceilings ? p.ceilings[c] : null; }));
          series.push({ label: t(c) + " · " + t("ceiling"), stroke: colours[i], width: 1, dash: [6, 4] });
        });
        el.hidden = false;
        var width = Math.max(plot.clientWidth || el.clientWidth || 600, 320);
        new window.uPlot({ width: width, height: 320, series: series, axes: [{}, {}], scales: { x: { time: true } } }, data, plot);
      })
      .catch(function () {
        el.hidden = false;
        plot.textContent = t("failed");
      });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-forces-strength]"), draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
