// newsdex: small enhancements only; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Facet checkboxes apply at once (the "Apply filters" button stays for no-JS use);
  // keyboard focus comes back to the same checkbox on the new page.
  var FOCUS_KEY = "newsdex-facet-focus";
  document.querySelectorAll("form.facet-form").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box && box.type === "checkbox") {
        try { sessionStorage.setItem(FOCUS_KEY, box.name + "\n" + box.value); } catch (e) { /* private mode */ }
        form.classList.add("busy");
        form.submit();
      }
    });
  });
  var wanted = null;
  try {
    wanted = sessionStorage.getItem(FOCUS_KEY);
    sessionStorage.removeItem(FOCUS_KEY);
  } catch (e) { /* storage unavailable: nothing to restore */ }
  var restored = false;
  if (wanted) {
    var parts = wanted.split("\n");
    var boxes = document.querySelectorAll("form.facet-form input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].name === parts[0] && boxes[i].value === parts[1]) {
        boxes[i].focus();
        restored = true;
        break;
      }
    }
  }

  // On a phone the filter panel starts folded, so results come first
  // (unless someone is working through the filters).
  var refine = document.querySelector("details.refine");
  if (refine && !restored && window.matchMedia("(max-width: 760px)").matches) {
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
