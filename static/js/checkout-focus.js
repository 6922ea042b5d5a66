// Checkout, after a mistake: the focus goes to the first wrong field (the page also marks it with autofocus, which
// works without this script), and each message in the summary at the top takes the focus to its own field.
(function () {
  "use strict";
  var first = document.querySelector("main [autofocus]") || document.querySelector('main [aria-invalid="true"]');
  if (first && document.activeElement !== first) {
    first.focus();
  }
  var summary = document.getElementById("problems");
  if (!summary) {
    return;
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });
})();
