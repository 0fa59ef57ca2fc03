// Find a tracking code on the bulletin board.
(function () {
  "use strict";
  var input = document.getElementById("code-search");
  if (!input) return;
  var codes = Array.prototype.map.call(document.querySelectorAll("#codes code"), function (c) {
    return c.textContent.trim();
  });
  var found = document.getElementById("code-found");
  var missing = document.getElementById("code-missing");
  input.addEventListener("input", function () {
    var v = input.value.toUpperCase().replace(/[^0-9A-Z]/g, "");
    if (v.length < 10) { found.hidden = missing.hidden = true; return; }
    var hit = codes.some(function (c) { return c.replace(/-/g, "") === v; });
    found.hidden = !hit;
    missing.hidden = hit;
  });
})();
