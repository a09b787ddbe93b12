// peaceops events dashboard: draws the time chart of the dashboard with
// events-chart.js; dragging across it narrows the dates of the dashboard's
// filter form and reloads the page with them (the tables and bars are
// rendered by the server, so the page works without script too).
(function () {
  "use strict";
  var el = document.querySelector("[data-dashboard-chart]");
  var form = document.getElementById("event-filters");
  if (!el || !form || !window.PeaceopsCharts) return;
  var fallback = document.querySelector("[data-chart-fallback]");

  function query(drop) {
    var q = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (v !== "" && drop.indexOf(k) < 0) q.append(k, v);
    });
    return q;
  }

  window.PeaceopsCharts.histogram(el, {
    api: el.getAttribute("data-api"),
    lang: document.documentElement.lang || "en",
    interval: form.elements.interval ? form.elements.interval.value : "week",
    // The chart shows the chosen dates; a drag zooms into part of them.
    query: function () { return query(["interval"]); },
    range: function () { return ["", ""]; },
    onRange: function (from, to) {
      form.elements.from.value = from;
      form.elements.to.value = to;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    },
  });
  if (fallback) fallback.open = false;
})();
