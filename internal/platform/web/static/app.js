// Amparo's only script besides htmx. Every page works without it; it adds comfort:
// confirmation before destructive actions, focus on the error summary, print buttons.
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
    // Print buttons (recovery codes) come hidden: without JavaScript, Ctrl+P does it.
    var pr = document.querySelectorAll("button[data-print]");
    for (var j = 0; j < pr.length; j++) {
      pr[j].hidden = false;
      pr[j].addEventListener("click", function () { window.print(); });
    }
  });
})();
