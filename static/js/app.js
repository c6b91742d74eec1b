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

  // htmx fires afterSwap on what it swapped in: the target (innerHTML) or the new element
  // itself (outerHTML, as for a comment edited in place).
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.target;
    if (!root || !root.querySelector || focusErrors(root)) {
      return;
    }
    var wanted = root.matches("[data-focus-after-swap]")
      ? root
      : root.querySelector("[data-focus-after-swap]");
    if (wanted) {
      wanted.focus();
    }
  });
})();
