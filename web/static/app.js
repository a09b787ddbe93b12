// peaceops: the little script every page loads. No inline scripts anywhere
// (the Content-Security-Policy forbids them): behaviour is attached here
// through data- attributes.
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  // htmx requests carry the CSRF token like forms do.
  document.addEventListener("htmx:configRequest", function (e) {
    var t = csrfToken();
    if (t) e.detail.headers["X-CSRF-Token"] = t;
  });

  // <button data-confirm="Delete this?"> asks before submitting.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // <select data-autosubmit> submits its form on change (the form keeps a
  // submit button for browsers without script).
  document.addEventListener("change", function (e) {
    var el = e.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  });

  // [data-dismiss] closes the flash message it sits in.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-dismiss]");
    if (!el) return;
    var box = el.closest(".flash, .alert");
    if (box) box.remove();
  });

  // Menus made of <details>: one open at a time, closed by a click outside
  // or Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("details.menu[open]");
    if (open) {
      open.removeAttribute("open");
      var s = open.querySelector("summary");
      if (s) s.focus();
    }
  });
})();
