// newsdex: small enhancements only; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Facet checkboxes apply at once (the "Apply filters" button stays for no-JS use).
  document.querySelectorAll("form.facet-form").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target && event.target.type === "checkbox") {
        form.classList.add("busy");
        form.submit();
      }
    });
  });

  // On a phone the filter panel starts folded, so results come first.
  var refine = document.querySelector("details.refine");
  if (refine && window.matchMedia("(max-width: 760px)").matches) {
    refine.open = false;
  }

  // "/" focuses the search box, as on most search sites.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var box = document.getElementById("q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });
})();
