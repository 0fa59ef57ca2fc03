// One tap casts once: the button is disabled after the first tap.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = document.getElementById("cast");
    setTimeout(function () { button.disabled = true; }, 0);
  });
})();
