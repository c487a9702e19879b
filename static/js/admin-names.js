/* The admin's autocomplete boxes (select2, autocomplete_fields) are named by
   the text they show, which is empty until something is chosen: a screen
   reader then hears an unnamed combobox (axe: aria-input-field-name). Name
   each one, and the text inside it, by its field's label. */
(function () {
  "use strict";
  function name() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (!label) return;
      var text = label.textContent.replace(/:\s*$/, "").trim();
      var holder = select.nextElementSibling;
      if (!holder) return;
      if (!label.id) label.id = select.id + "-label";
      holder.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (box) {
        var by = (box.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
        if (by.length) {         // aria-labelledby wins over aria-label: the label first, then what is chosen
          if (by.indexOf(label.id) === -1) box.setAttribute("aria-labelledby", [label.id].concat(by).join(" "));
        } else {
          box.setAttribute("aria-label", text);
        }
      });
    });
  }
  // select2 draws its box when jQuery is ready, which may come after "load": name each box as it appears
  document.addEventListener("DOMContentLoaded", function () {
    name();
    new MutationObserver(function (changes) {
      if (changes.some(function (c) { return Array.prototype.some.call(c.addedNodes, function (n) {
        return n.classList && n.classList.contains("select2-container"); }); })) name();
    }).observe(document.getElementById("content") || document.body, {childList: true, subtree: true});
  });
})();
