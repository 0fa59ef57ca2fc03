// Character ballot: one person per screen with progress; every item required.
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  var people = Array.prototype.slice.call(form.querySelectorAll("section.person"));
  var submit = form.querySelector("button.submit");
  var missing = form.querySelector(".missing");
  var current = 0;
  function complete(section) {
    return Array.prototype.every.call(section.querySelectorAll("fieldset.item"), function (f) {
      return f.querySelector("input:checked") !== null;
    });
  }
  function show(i) {
    current = i;
    people.forEach(function (p, j) { p.hidden = j !== i; });
    submit.hidden = i !== people.length - 1;
    missing.hidden = true;
    window.scrollTo(0, 0);
  }
  function firstGap(section) {
    var gap = Array.prototype.find.call(section.querySelectorAll("fieldset.item"), function (f) {
      return f.querySelector("input:checked") === null;
    });
    if (gap) { gap.classList.add("gap"); gap.scrollIntoView({block: "center"}); }
  }
  form.addEventListener("click", function (e) {
    if (e.target.classList.contains("next")) {
      if (!complete(people[current])) { missing.hidden = false; firstGap(people[current]); return; }
      show(current + 1);
    } else if (e.target.classList.contains("prev")) {
      show(current - 1);
    }
  });
  form.addEventListener("change", function (e) {
    var f = e.target.closest("fieldset.item");
    if (f) f.classList.remove("gap");
  });
  form.addEventListener("submit", function (e) {
    var gapAt = people.findIndex(function (p) { return !complete(p); });
    if (gapAt >= 0) { e.preventDefault(); show(gapAt); missing.hidden = false; firstGap(people[gapAt]); }
  });
  show(0);
})();
