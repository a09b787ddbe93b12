// peaceops event form: "Add an actor" and "Add a source" buttons, which
// copy the last row of their table with its text fields emptied. Without
// script the form offers one blank row of each, enough for a first record.
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (btn) {
    var body = document.querySelector('[data-rows="' + btn.getAttribute("data-add-row") + '"]');
    if (!body || !body.rows.length) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var last = body.rows[body.rows.length - 1];
      var row = last.cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) {
        i.value = "";
        i.removeAttribute("aria-invalid");
      });
      row.querySelectorAll(".error").forEach(function (e) { e.remove(); });
      body.appendChild(row);
      var first = row.querySelector("input");
      if (first) first.focus();
    });
  });
})();
