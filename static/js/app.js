// Allmende: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Put keyboard and screen-reader focus on the error summary of a failed form, so the
  // errors are announced and their links are the next thing a keyboard user reaches.
  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      return true;
    }
    return false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || focusErrors(target)) {
      return;
    }
    var wanted = target.querySelector("[data-focus-after-swap]");
    if (wanted) {
      wanted.focus();
    }
  });
})();
