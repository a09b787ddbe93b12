// peaceops event charts: the time histogram of events (bars) and
// fatalities (line) under the map and on the dashboard, drawn with uPlot
// (vendor/uplot). Dragging across it picks a date range. Exposed as
// window.PeaceopsCharts.histogram(el, opts); texts come translated in the
// element's data-t-* attributes. CSP-safe: no inline code or style
// attributes (uPlot sizes its elements through the CSSOM).
(function () {
  "use strict";
  if (!window.uPlot) return;

  var DAY = 86400;

  function translator(el) {
    return function (key) {
      return el.getAttribute("data-t-" + key) || key;
    };
  }

  function parseDay(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 1000 : NaN;
  }

  function day(sec) {
    return new Date(sec * 1000).toISOString().slice(0, 10);
  }

  // normalRow reads a row of GET events/stats.
  function normalRow(r) {
    return { t: parseDay(r.period), events: r.events || 0, fatalities: r.fatalities || 0 };
  }

  // byMonth adds weekly rows up by calendar month (of the week's start).
  function byMonth(rows) {
    var out = [], last = null;
    rows.forEach(function (r) {
      var d = new Date(r.t * 1000);
      var m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
      if (!last || last.t !== m) {
        last = { t: m, events: 0, fatalities: 0 };
        out.push(last);
      }
      last.events += r.events;
      last.fatalities += r.fatalities;
    });
    return out;
  }

  // fill adds empty periods so gaps show as gaps, not as stretched bars.
  function fill(rows, monthly) {
    if (rows.length < 2) return rows;
    var out = [], i = 0, t = rows[0].t, end = rows[rows.length - 1].t;
    while (t <= end && out.length < 5000) {
      if (i < rows.length && rows[i].t === t) out.push(rows[i++]);
      else if (i < rows.length && rows[i].t < t) { i++; continue; }
      else out.push({ t: t, events: 0, fatalities: 0 });
      if (monthly) {
        var d = new Date(t * 1000);
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
      } else {
        t += 7 * DAY;
      }
    }
    return out;
  }

  // dateNames are the month and weekday names of lang for the axis.
  function dateNames(lang) {
    var names = { MMMM: [], MMM: [], WWWW: [], WWW: [] };
    try {
      var f = function (o) { return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: "UTC" }, o)).format; };
      var ml = f({ month: "long" }), ms = f({ month: "short" }), wl = f({ weekday: "long" }), ws = f({ weekday: "short" });
      for (var m = 0; m < 12; m++) {
        var d = new Date(Date.UTC(2001, m, 1));
        names.MMMM.push(ml(d));
        names.MMM.push(ms(d));
      }
      for (var w = 0; w < 7; w++) {
        var s = new Date(Date.UTC(2001, 0, 7 + w)); // 7 January 2001 was a Sunday
        names.WWWW.push(wl(s));
        names.WWW.push(ws(s));
      }
      return names;
    } catch (e) {
      return undefined;
    }
  }

  // histogram draws the chart in el.querySelector(".histogram-plot").
  // opts: api (the mission's API base), lang, query() (the filters but the
  // dates, as URLSearchParams), range() ([from, to] as YYYY-MM-DD or ""),
  // onRange(from, to) (called after a drag; "" "" to clear), interval
  // ("week": weekly, added up by month beyond five years; "month").
  function histogram(el, opts) {
    var t = translator(el);
    var plotEl = el.querySelector(".histogram-plot");
    var caption = el.querySelector(".histogram-interval");
    var clear = el.querySelector("[data-clear]");
    var u = null, monthly = false, rows = [];
    var names = dateNames(opts.lang || "en");
    var numbers = function (u, vals) {
      return vals.map(function (v) { return v == null ? "" : Number(v).toLocaleString(opts.lang || "en"); });
    };
    el.hidden = false;

    function size() {
      return { width: Math.max(280, plotEl.clientWidth), height: el.classList.contains("histogram-tall") ? 260 : 150 };
    }

    function draw() {
      if (u) u.destroy();
      plotEl.textContent = "";
      if (!rows.length) {
        plotEl.appendChild(document.createTextNode(t("empty")));
        return;
      }
      var data = [rows.map(function (r) { return r.t; }), rows.map(function (r) { return r.events; }), rows.map(function (r) { return r.fatalities; })];
      var s = size();
      u = new uPlot({
        width: s.width, height: s.height,
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
        fmtDate: function (tpl) { return uPlot.fmtDate(tpl, names); },
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        select: { show: true },
        scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.08)]; } },
                  f: { range: function (u, min, max) { return [0, Math.max(1, max * 1.08)]; } } },
        axes: [
          { stroke: "#5b6675", grid: { show: false }, ticks: { stroke: "#d8dee6" } },
          { stroke: "#4a6fa5", grid: { stroke: "#eef1f5" }, ticks: { show: false }, size: 48, values: numbers },
          { scale: "f", side: 1, stroke: "#c92a2a", grid: { show: false }, ticks: { show: false }, size: 52, values: numbers },
        ],
        series: [
          { label: monthly ? t("month") : t("week"), value: function (u, v) { return v == null ? "–" : day(v); } },
          { label: t("events"), fill: "rgba(74,111,165,.75)", stroke: "#4a6fa5", width: 0,
            paths: uPlot.paths.bars({ size: [0.86, 60], align: 1 }), points: { show: false } },
          { label: t("fatalities"), scale: "f", stroke: "#c92a2a", width: 1.5, points: { show: false } },
        ],
        hooks: {
          setSelect: [function (u) {
            if (u.select.width < 3) return;
            var a = u.posToVal(u.select.left, "x");
            var b = u.posToVal(u.select.left + u.select.width, "x");
            opts.onRange(day(Math.floor(a / DAY) * DAY), day(Math.floor(b / DAY) * DAY));
            clear.hidden = false;
          }],
        },
      }, data, plotEl);
      select();
    }

    // select shows the form's date range as the chart's selection.
    function select() {
      if (!u) return;
      var r = opts.range();
      var a = parseDay(r[0]), b = parseDay(r[1]);
      clear.hidden = isNaN(a) && isNaN(b);
      if (isNaN(a) && isNaN(b)) {
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        return;
      }
      var xs = u.data[0];
      if (isNaN(a)) a = xs[0];
      if (isNaN(b)) b = xs[xs.length - 1] + (monthly ? 31 : 7) * DAY;
      var left = Math.max(0, u.valToPos(a, "x"));
      var right = Math.min(u.bbox.width / devicePixelRatio, u.valToPos(b, "x"));
      u.setSelect({ left: left, top: 0, width: Math.max(2, right - left), height: u.bbox.height / devicePixelRatio }, false);
    }

    function reload() {
      var q = opts.query();
      q.set("interval", opts.interval || "week");
      el.setAttribute("aria-busy", "true");
      return fetch(opts.api + "/events/stats?" + q.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (res) {
          var list = (res.items || []).map(normalRow).filter(function (r) { return !isNaN(r.t); });
          list.sort(function (a, b) { return a.t - b.t; });
          monthly = opts.interval === "month";
          if (!monthly && list.length > 1 && list[list.length - 1].t - list[0].t > 5 * 365 * DAY) {
            list = byMonth(list);
            monthly = true;
          }
          rows = fill(list, monthly);
          if (caption) caption.textContent = monthly ? t("per-month") : t("per-week");
          el.removeAttribute("aria-busy");
          draw();
        })
        .catch(function () {
          el.removeAttribute("aria-busy");
          plotEl.textContent = t("failed");
        });
    }

    clear.addEventListener("click", function () {
      opts.onRange("", "");
      select();
    });
    if (window.ResizeObserver) {
      var last = 0;
      new ResizeObserver(function () {
        var w = plotEl.clientWidth;
        if (u && Math.abs(w - last) > 4) {
          last = w;
          u.setSize(size());
          select();
        }
      }).observe(plotEl);
    }
    reload();
    return { reload: reload, select: select };
  }

  window.PeaceopsCharts = { histogram: histogram };
})();
