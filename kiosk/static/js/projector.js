// The projector fits its screen: a projector cannot scroll. After the close the result's contests
// are shown as many at a time as fit the space left under the counts (templates/chair/projector.html,
// [data-proj-pages]); when they do not all fit, the pages turn by themselves every PAGE_SECONDS,
// and the operator turns them by hand with ← → / PageUp PageDown (a presenter's clicker sends
// those) or the pager's buttons, after which they stay where the operator left them. A single
// contest taller than the space is drawn smaller (zoom) rather than cut off.
(function () {
  "use strict";
  var PAGE_SECONDS = 15;
  var MIN_ZOOM = 0.55;
  var area = document.querySelector("[data-proj-pages]");
  var pager = document.querySelector("[data-pager]");
  if (!area || !pager) return;
  var cfg = JSON.parse(document.getElementById("board-config").textContent || "{}");
  var label = (cfg.labels && cfg.labels.page_of) || "%(page)s / %(pages)s";
  var sections = Array.prototype.slice.call(area.querySelectorAll(".contest-board"));
  var pages = [];
  var current = 0;
  var timer = null;
  var byHand = false;

  function outer(s) {  // a section's height with its margins, as it stands (zoomed or not)
    var css = getComputedStyle(s);
    return s.getBoundingClientRect().height + (parseFloat(css.marginTop) || 0) + (parseFloat(css.marginBottom) || 0);
  }

  function layout() {
    measure();
    // The pager takes a line of its own: measure again with it shown when there are pages.
    if (pages.length > 1 && pager.hidden) { pager.hidden = false; measure(); }
    current = Math.min(current, pages.length - 1);
    show(current);
  }

  function measure() {
    sections.forEach(function (s) { s.hidden = false; s.style.zoom = ""; });
    var board = area.firstElementChild;
    var extra = board ? board.getBoundingClientRect().height - sections.reduce(function (t, s) { return t + outer(s); }, 0) : 0;
    var room = area.clientHeight - Math.max(extra, 0) - 4;
    pages = [];
    var page = [];
    var used = 0;
    sections.forEach(function (s) {
      var h = outer(s);
      if (h > room) {  // alone and still too tall: smaller, never cut off
        s.style.zoom = String(Math.max(MIN_ZOOM, room / h));
        h = outer(s);
      }
      if (page.length && used + h > room) { pages.push(page); page = []; used = 0; }
      page.push(s);
      used += h;
    });
    if (page.length) pages.push(page);
  }

  function show(i) {
    current = (i + pages.length) % pages.length;
    sections.forEach(function (s) { s.hidden = pages[current].indexOf(s) < 0; });
    pager.hidden = !(pages.length > 1);
    pager.querySelector("[data-page-of]").textContent =
      label.replace("%(page)s", current + 1).replace("%(pages)s", pages.length);
    document.body.classList.toggle("proj-paged", pages.length > 1);
  }

  function step(by, hand) {
    if (hand) { byHand = true; if (timer) { clearInterval(timer); timer = null; } }
    show(current + by);
  }

  pager.addEventListener("click", function (e) {
    var b = e.target.closest("[data-page-step]");
    if (b) step(parseInt(b.getAttribute("data-page-step"), 10), true);
  });
  document.addEventListener("keydown", function (e) {
    if (!(pages.length > 1)) return;
    if (["ArrowRight", "PageDown", " "].indexOf(e.key) >= 0) { e.preventDefault(); step(1, true); }
    if (["ArrowLeft", "PageUp"].indexOf(e.key) >= 0) { e.preventDefault(); step(-1, true); }
  });
  var resizing = null;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(layout, 150); });
  layout();
  if (pages.length > 1 && !byHand) {
    timer = setInterval(function () { step(1, false); }, PAGE_SECONDS * 1000);
  }
})();
