// Allmende: the mention finder under a comment field. Shows the finder (hidden without
// JavaScript, where the hint under the field says what to type) and inserts the mention a
// suggestion button holds at the cursor of the form's comment field.
(function () {
  "use strict";

  function showFinders(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("[data-mention-finder]"),
      function (finder) { finder.hidden = false; }
    );
  }

  document.addEventListener("DOMContentLoaded", function () { showFinders(document); });
  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    if (root && root.querySelectorAll) {
      showFinders(root.parentNode || root);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-mention-insert]") : null;
    if (!button) {
      return;
    }
    var form = button.closest("form");
    var field = form ? form.querySelector("textarea[name=body]") : null;
    if (!field) {
      return;
    }
    var text = button.getAttribute("data-mention-insert");
    var start = field.selectionStart || 0;
    var end = field.selectionEnd || start;
    var before = field.value.slice(0, start);
    if (before.slice(-1) === "@") {
      before = before.slice(0, -1); // the "@" typed before searching is part of the mention
    }
    if (before && !/\s$/.test(before)) {
      before += " ";
    }
    var after = field.value.slice(end);
    field.value = before + text + " " + after;
    var caret = before.length + text.length + 1;
    field.focus();
    field.setSelectionRange(caret, caret);
    var finder = button.closest("[data-mention-finder]");
    var search = finder ? finder.querySelector("input[type=search]") : null;
    if (search) {
      search.value = "";
    }
    var list = button.closest(".mention-list");
    if (list) {
      list.textContent = "";
    }
  });
})();
