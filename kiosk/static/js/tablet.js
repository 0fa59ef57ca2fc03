// The tablet's display settings and its inactivity return (every page of templates/tablet/).
//
// Text size (four sizes) and high contrast are the voter's own: kept in this tab's sessionStorage,
// never sent to the server, and put back to default for the next voter (the receipt page, and the
// return to the start screen after an unanswered inactivity warning). Loaded in <head> so the page
// is drawn at the chosen size from the first frame.
//
// Inactivity: no touch, key or scroll for `warn_after` seconds shows a warning; `return_after`
// seconds later the tablet goes back to the start screen. Both come from the server's settings
// (#tablet-config: idle_warning_seconds, idle_return_seconds); this script has no timing of its
// own. Nothing is cast by the return: the slip stays valid until a ballot is submitted.
(function () {
  "use strict";
  var KEY_SIZE = "ballotroom.textSize";
  var KEY_CONTRAST = "ballotroom.contrast";
  var SIZES = ["1", "2", "3", "4"];
  var root = document.documentElement;

  function stored(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) { /* storage refused: the choice lasts for this page only */ }
  }
  function size() { var s = stored(KEY_SIZE); return SIZES.indexOf(s) === -1 ? "1" : s; }
  function contrast() { return stored(KEY_CONTRAST) === "on"; }
  function apply() {
    root.setAttribute("data-text-size", size());
    root.classList.toggle("contrast", contrast());
    root.classList.add("tablet-ui");
  }
  function resetSettings() {
    store(KEY_SIZE, null);
    store(KEY_CONTRAST, null);
  }
  apply();

  function ready() {
    var config = {};
    var configNode = document.getElementById("tablet-config");
    if (configNode) config = JSON.parse(configNode.textContent);

    // --- the display bar --------------------------------------------------------------------
    var bar = document.querySelector("[data-display-bar]");
    function showPressed() {
      if (!bar) return;
      bar.querySelectorAll("[data-text-size]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size()));
      });
      var c = bar.querySelector("[data-contrast]");
      if (c) c.setAttribute("aria-pressed", String(contrast()));
    }
    if (bar) {
      bar.hidden = false;
      bar.addEventListener("click", function (event) {
        var button = event.target.closest("button");
        if (!button) return;
        if (button.hasAttribute("data-text-size")) {
          var chosen = button.getAttribute("data-text-size");
          store(KEY_SIZE, chosen === "1" ? null : chosen);
        } else if (button.hasAttribute("data-contrast")) {
          store(KEY_CONTRAST, contrast() ? null : "on");
        }
        apply();
        showPressed();
      });
      showPressed();
    }

    // --- the next voter starts from default ---------------------------------------------------
    if (document.querySelector("[data-voter-done]")) {
      // The receipt keeps this voter's look; whatever comes next starts from default.
      resetSettings();
      return;
    }
    function backToStart() {
      resetSettings();
      window.location.replace(config.start || "/");
    }
    // A ballot or review page reached with Back (after a return to the start) is not shown to
    // whoever stands at the tablet now.
    var navigation = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0] : null;
    if (navigation && navigation.type === "back_forward" && document.querySelector("input[name=token]")) {
      backToStart();
      return;
    }

    // --- inactivity ----------------------------------------------------------------------------
    var warnAfter = Number(config.warn_after), returnAfter = Number(config.return_after);
    if (!(warnAfter > 0 && returnAfter > 0)) return;
    var dialog = document.getElementById("idle-warning");
    var countdown = dialog ? dialog.querySelector(".idle-countdown") : null;
    var onStart = !document.querySelector("input[name=token]") && !document.querySelector(".refused");
    var warnTimer = null, tick = null, left = 0;

    function somethingToClear() {
      // On the start screen only a changed setting or a half-typed code is worth a warning.
      var code = document.getElementById("code");
      return stored(KEY_SIZE) !== null || contrast() || (code && code.value !== "");
    }
    function showLeft() {
      if (countdown) countdown.textContent = countdown.getAttribute("data-countdown-text").replace("%(n)s", String(left));
    }
    function warn() {
      if (onStart && !somethingToClear()) { restart(); return; }
      if (!dialog) { backToStart(); return; }
      left = returnAfter;
      showLeft();
      dialog.hidden = false;
      var button = dialog.querySelector("[data-still-here]");
      if (button) button.focus();
      tick = window.setInterval(function () {
        left -= 1;
        showLeft();
        if (left <= 0) {
          window.clearInterval(tick);
          backToStart();
        }
      }, 1000);
    }
    function restart() {
      if (tick !== null) { window.clearInterval(tick); tick = null; }
      if (dialog) dialog.hidden = true;
      if (warnTimer !== null) window.clearTimeout(warnTimer);
      warnTimer = window.setTimeout(warn, warnAfter * 1000);
    }
    function activity(event) {
      // Once the warning shows, a completed tap (click) or a key answers it: not a scroll, which
      // may be the page moving by itself, and not the start of a tap, so the tap lands where it
      // was aimed before the warning goes.
      var warning = dialog && !dialog.hidden;
      if (warning && event.type !== "click" && event.type !== "keydown") return;
      restart();
    }
    ["pointerdown", "click", "keydown", "touchstart", "wheel", "scroll", "input"].forEach(function (name) {
      window.addEventListener(name, activity, { passive: true, capture: true });
    });
    restart();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
