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
    // With JavaScript the canton list follows the province by itself, so the
    // "update list" buttons go: Enter in a field must save the form, not refresh it.
    var btns = document.querySelectorAll("button.nojs-only");
    for (var i = 0; i < btns.length; i++) { btns[i].parentNode.removeChild(btns[i]); }
    var s = document.getElementById("error-summary");
    if (s) { s.focus(); }
  });
})();
