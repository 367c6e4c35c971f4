// The page's only script: it adds no data, it only filters the drifted
// nodes table and highlights one series of a stacked chart. Everything it
// reads is already in the markup, so the page reads the same without it.
(function () {
  "use strict";
  var filter = document.getElementById("filter");
  var shown = document.getElementById("shown");
  if (filter) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#drifted tr.node"));
    var update = function () {
      var q = filter.value.trim().toLowerCase();
      var n = 0;
      rows.forEach(function (tr) {
        var hit = q === "" || tr.textContent.toLowerCase().indexOf(q) >= 0;
        tr.classList.toggle("hidden", !hit);
        if (hit) { n++; }
      });
      shown.textContent = n + " of " + rows.length + " shown";
    };
    filter.addEventListener("input", update);
    update();
  }
  // A legend entry dims every other series of its chart; again, it clears.
  document.querySelectorAll("svg .legend").forEach(function (item) {
    var toggle = function () {
      var svg = item.closest("svg");
      var key = item.getAttribute("data-series");
      var on = item.getAttribute("aria-pressed") !== "true";
      svg.querySelectorAll(".legend").forEach(function (l) { l.setAttribute("aria-pressed", "false"); });
      item.setAttribute("aria-pressed", on ? "true" : "false");
      svg.querySelectorAll("[data-series]").forEach(function (el) {
        el.classList.toggle("dim", on && el.getAttribute("data-series") !== key);
      });
    };
    item.addEventListener("click", toggle);
    item.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); }
    });
  });
})();
