// Amparo's only script besides htmx. Every page works without it; it adds comfort:
// confirmation before destructive actions and focus on the error summary.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    var msg = f && f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    var s = document.getElementById("error-summary");
    if (s) { s.focus(); }
  });
})();
