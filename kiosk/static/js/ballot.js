// Enforce each contest's maximum on the page (the server enforces it too).
(function () {
  "use strict";
  document.querySelectorAll("fieldset.contest").forEach(function (contest) {
    var max = parseInt(contest.dataset.max, 10);
    var boxes = contest.querySelectorAll("input[type=checkbox]");
    var count = contest.querySelector(".count");
    function update() {
      var n = contest.querySelectorAll("input[type=checkbox]:checked").length;
      if (count) count.textContent = String(n);
      boxes.forEach(function (box) {
        box.disabled = !box.checked && n >= max;
        box.closest("label").classList.toggle("disabled", box.disabled);
        box.closest("label").classList.toggle("checked", box.checked);
      });
      contest.classList.toggle("full", n >= max);
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });
})();
