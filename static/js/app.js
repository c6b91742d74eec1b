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

  // Panels that fold away on a phone (data-open-wide: the list filters) are open on
  // wider screens, where app.css shows them anyway; [open] keeps both views in step.
  var wide = window.matchMedia ? window.matchMedia("(min-width: 48rem)") : null;
  function openWhenWide() {
    if (!wide || !wide.matches) {
      return;
    }
    Array.prototype.forEach.call(
      document.querySelectorAll("details[data-open-wide]"),
      function (panel) { panel.open = true; }
    );
  }
  if (wide && wide.addEventListener) {
    wide.addEventListener("change", openWhenWide);
  }

  document.addEventListener("DOMContentLoaded", function () {
    openWhenWide();
    focusErrors(document);
  });

  // Enter in a search-as-you-type field (data-enter-searches, with an htmx "search"
  // trigger) runs that search in place. Left alone, the browser would press the form's
  // default button, which the server answers with the same results on a new page: the way
  // without JavaScript, which loses the focus.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.isComposing || !field.matches ||
        !field.matches("input[data-enter-searches]")) {
      return;
    }
    event.preventDefault();
    field.dispatchEvent(new Event("search"));
  });

  // Fields that do not concern a stage (data-hidden-for-stage="idee": the lessons-learned
  // question is not put to an idea) follow the stage select of their form. One that holds
  // text stays in sight. Without JavaScript the server shows them with the next answer.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[name=stage]") || !select.form) {
      return;
    }
    var fields = select.form.querySelectorAll("[data-hidden-for-stage]");
    Array.prototype.forEach.call(fields, function (field) {
      var input = field.querySelector("textarea, input");
      var filled = input && input.value.trim() !== "";
      field.hidden = field.getAttribute("data-hidden-for-stage") === select.value && !filled;
    });
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
