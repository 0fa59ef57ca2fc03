// The chair's dashboard and the projector view, kept live over Socket.IO (namespace /live).
//
// The page draws the first view on the server (templates/chair/_board.html); this script redraws
// the tally from `tally` events with the same markup, one function per kind family, and moves the
// turnout figures from `turnout` events. The tally arrives only in batches of k ballots (the
// server decides that); turnout moves one by one. When the poll opens or closes the page reloads,
// so buttons and the result sheet always come from the server.
//
// Every sentence comes from the page (#board-config "labels"): this script has no text of its own.
// Every decision comes from the server (tally/): passes, chosen, runoff and veto per candidate,
// the items over the veto line (`item_veto`) and the quorum (`quorum` of the turnout). This script
// compares nothing against a rule (tests/test_no_thresholds_in_views.py).
(function () {
  "use strict";
  var configElement = document.getElementById("board-config");
  if (!configElement) return;
  var cfg = JSON.parse(configElement.textContent);
  var L = cfg.labels;
  var rule = cfg.rule;

  // --- buttons that work without the socket ---------------------------------------------------
  // Once the chair has sent Open or Close, the page is on its way to the answer: a `state` event
  // arriving meanwhile must not reload it (that would cancel the navigation and lose its message).
  var leaving = false;
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) leaving = true;
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var closeForm = document.getElementById("close-form");
  if (closeForm) {
    closeForm.addEventListener("submit", function (event) {
      if (!window.confirm(closeForm.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      closeForm.elements.confirm.value = "yes";  // without it the server asks again on a page
    });
  }

  // --- formatting, as admin/views_results.py does ----------------------------------------------
  function fmt(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (whole, key) {
      var value = params[key];
      return value === undefined || value === null ? "" : String(value);
    });
  }
  // Percentages as the results document states them (tally.percent: cut off to one decimal, never
  // contradicting the outcome beside them); the page formats nothing itself.
  function percentOf(doc, id) { return ((doc.percent || {}).candidates || {})[id] || "–"; }
  function itemPercentOf(doc, id, i) { return ((((doc.percent || {}).items || {})[id]) || [])[i] || "–"; }

  function width(part, whole) {
    var p = parseFloat(part), w = whole === undefined ? 1 : parseFloat(whole);
    var value = w ? p / w * 100 : 0;
    if (!isFinite(value)) value = 0;
    return Math.min(100, Math.max(0, value)).toFixed(2);
  }
  function shown(value) { return value === null || value === undefined ? "–" : String(value); }

  // --- markup -------------------------------------------------------------------------------
  var BADGE_CLASS = { chosen: "chosen", passes: "pass", fails: "fail", runoff: "runoff",
                      veto: "fail", incomplete: "warn" };
  var FILL_CLASS = { chosen: "pass", passes: "pass", fails: "fail", runoff: "runoff", veto: "fail" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function badge(code) {
    var node = el("span", "badge " + BADGE_CLASS[code], L[code]);
    node.setAttribute("data-mark", code);
    return node;
  }
  function nameCell(name, marks) {
    var node = el("span", "name", name);
    marks.forEach(function (mark) { node.append(" ", badge(mark)); });
    return node;
  }
  function lineNode(label) {
    var node = el("span", "line");
    node.style.left = rule.line + "%";
    if (label) node.setAttribute("data-label", label);
    return node;
  }
  function barNode(fillClass, fillWidth, withLine, label) {
    var node = el("span", "bar");
    var fill = el("span", "fill" + (fillClass ? " " + fillClass : ""));
    fill.style.width = fillWidth + "%";
    node.append(fill);
    if (withLine && rule.line !== undefined) node.append(lineNode(label));
    return node;
  }
  function candidateRow(c) {
    var li = el("li", "cand");
    li.setAttribute("data-candidate", c.id);
    return li;
  }
  function contains(list, id) { return (list || []).indexOf(id) !== -1; }

  function markOf(doc, contest, c, final) {
    if (!final) return "";
    if (doc.kind === "plenary_recommendation" || doc.kind === "standing_committee") {
      if (contains(contest.chosen, c.id)) return "chosen";
      if (contains(contest.runoff, c.id)) return "runoff";
      if (doc.kind === "standing_committee") return c.passes ? "passes" : "fails";
      return "";
    }
    if (doc.kind === "character") return c.veto ? "veto" : "";
    if (doc.kind === "leaders") return "";
    return c.passes ? "passes" : "fails";
  }
  function fillClass(mark, c, final) {
    if (final) return FILL_CLASS[mark] || "";
    return c.passes ? "pass" : "";
  }

  // --- one function per kind family (the macros of _board.html) --------------------------------
  function choice(doc, contest, final) {
    var plenary = doc.kind === "plenary_recommendation";
    var places = rule.places[contest.id];
    var rows = contest.candidates.slice();
    if (plenary) rows.sort(function (a, b) { return b.votes - a.votes; });  // stable: ties keep ballot order
    var ul = el("ul", "bars");
    rows.forEach(function (c, i) {
      var mark = markOf(doc, contest, c, final);
      var li = candidateRow(c);
      li.append(
        nameCell(c.name, mark ? [mark] : []),
        barNode(fillClass(mark, c, final), width(c.rate), true, i === 0 ? rule.line_label : null),
        el("span", "value", fmt(L.votes, { votes: c.votes, cast: doc.cast, percent: percentOf(doc, c.id) })));
      ul.append(li);
      if (plenary && i + 1 === places && i < rows.length - 1) {
        var cut = el("li", "cut");
        cut.append(el("span", null, fmt(L.cut, { places: places })));
        ul.append(cut);
      }
    });
    return ul;
  }

  function committee(doc, contest, final) {
    var ul = el("ul", "bars");
    contest.candidates.forEach(function (c, i) {
      var mark = markOf(doc, contest, c, final);
      var li = candidateRow(c);
      var stack = el("span", "bar stack");
      ["agree", "disagree", "abstain"].forEach(function (answer) {
        var seg = el("span", "seg " + answer);
        seg.style.width = width(c[answer], doc.expected) + "%";
        stack.append(seg);
      });
      stack.append(lineNode(i === 0 ? fmt(L.needed, { needed: rule.needed }) : null));
      li.append(
        nameCell(c.name, mark ? [mark] : []),
        stack,
        el("span", "value", L.agree + " " + c.agree + " · " + L.disagree + " " + c.disagree +
           " · " + L.abstain + " " + c.abstain));
      ul.append(li);
    });
    return ul;
  }

  function character(doc, contest, final) {
    var people = el("div", "people");
    contest.candidates.forEach(function (c) {
      var over = (doc.item_veto || {})[c.id] || [];
      var mark = markOf(doc, contest, c, final);
      var person = el("div", "person-board");
      person.setAttribute("data-candidate", c.id);
      var head = el("h4");
      head.append(el("span", "name", c.name));
      if (mark) head.append(" ", badge(mark));
      if (final && !c.complete) head.append(" ", badge("incomplete"));
      head.append(" ", el("span", "score", fmt(L.score, { score: c.score, max: rule.max })));
      head.append(" ", el("span", "raters" + (c.complete ? "" : " warn"),
                          fmt(L.raters, { raters: c.raters, min: rule.min })));
      person.append(head);
      var ul = el("ul", "bars items");
      c.frequent_share.forEach(function (share, i) {
        var li = el("li", "item");
        var name = el("span", "name", (i + 1) + ". " + rule.items[i]);
        name.title = rule.items[i];
        li.append(
          name,
          barNode(over[i] ? "fail" : "", width(share), true,
                  i === 0 ? rule.line_label : null),
          el("span", "value", fmt(L.item_value, { frequent: c.frequent[i], percent: itemPercentOf(doc, c.id, i) })));
        ul.append(li);
      });
      person.append(ul);
      people.append(person);
    });
    return people;
  }

  function survey(doc, contest, final) {
    var ul = el("ul", "bars");
    contest.candidates.forEach(function (c, i) {
      var mark = markOf(doc, contest, c, final);
      var marks = mark ? [mark] : [];
      if (final && !c.complete) marks.push("incomplete");
      var li = candidateRow(c);
      var sub = el("span", "sub", fmt(L.survey_counts, {
        satisfied: c.satisfied, basically_satisfied: c.basically_satisfied,
        dissatisfied: c.dissatisfied }) + " · ");
      sub.append(el("span", "respondents" + (c.complete ? "" : " warn"),
                    fmt(L.respondents, { respondents: c.respondents, min: rule.min })));
      li.append(
        nameCell(c.name, marks),
        barNode(fillClass(mark, c, final), width(c.satisfaction), true, i === 0 ? rule.line_label : null),
        el("span", "value", percentOf(doc, c.id)),
        sub);
      ul.append(li);
    });
    return ul;
  }

  function leaders(doc, contest) {
    var ul = el("ul", "bars");
    contest.candidates.forEach(function (c) {
      var li = candidateRow(c);
      var sub = el("span", "sub",
        fmt(L.unit, { points: c.unit, max: rule.unit_max, count: c.unit_count }) + " · " +
        fmt(L.city, { points: c.city, max: rule.city_max, count: c.city_count }));
      if (c.missing && c.missing.length) {
        sub.append(" · ", el("span", "warn", fmt(L.missing, {
          groups: c.missing.map(function (g) { return L[g + "_group"]; }).join(", ") })));
      }
      li.append(
        nameCell(c.name, []),
        barNode("", width(c.score, rule.max), false),
        el("span", "value", fmt(L.score, { score: c.score, max: rule.max })),
        sub);
      ul.append(li);
    });
    return ul;
  }

  var FAMILIES = { choice: choice, committee: committee, character: character, survey: survey,
                   leaders: leaders };

  function ruleNote(doc, contest) {
    return fmt(L["rule_" + doc.kind], {
      line: rule.line_label, min: rule.min, max: rule.max, unit_max: rule.unit_max,
      city_max: rule.city_max, needed: rule.needed, expected: doc.expected,
      places: rule.places[contest.id] });
  }

  function board(doc) {
    var final = doc.state === "closed";
    var root = el("div", "tally-board");
    root.setAttribute("data-family", rule.family);
    doc.contests.forEach(function (contest) {
      var section = el("section", "contest-board");
      section.setAttribute("data-contest", contest.id);
      section.append(el("h3", null, contest.title), el("p", "rule muted", ruleNote(doc, contest)),
                     FAMILIES[rule.family](doc, contest, final));
      root.append(section);
    });
    return root;
  }

  // Exposed for checking that the script draws what the server draws.
  window.BallotroomBoard = { render: board, fmt: fmt };

  // --- live updates -------------------------------------------------------------------------
  if (!window.io || cfg.state === "closed") return;

  var counted = cfg.counted;
  var cast = null;

  function showTallyOf() {
    var node = document.getElementById("tally-of");
    if (node && cast !== null) node.textContent = fmt(L.tally_of, { counted: counted, cast: cast });
  }

  function showQuorum(t) {
    var node = document.getElementById("quorum");
    var q = t.quorum;  // tally.kinds.quorum_state, computed by the server for this turnout
    if (!node || !q) return;
    node.className = "quorum " + (q.met ? "ok" : "bad");
    node.querySelector("[data-quorum-text]").textContent = fmt(q.met ? L.quorum_met : L.quorum_not_met, {
      present: q.present, expected: q.expected, needed: q.needed });
    node.querySelector("[data-quorum-unrecorded]").hidden = q.recorded;
  }

  function showTurnout(t) {
    ["cast", "present", "expected", "issued", "blank", "spoiled"].forEach(function (key) {
      var node = document.querySelector('[data-turnout="' + key + '"]');
      if (node) node.textContent = shown(t[key]);
    });
    // The reconciled counts (tally.counts decided them): each tile shows its figure as it stands.
    Object.keys(t.counts || {}).forEach(function (key) {
      var node = document.querySelector('[data-count="' + key + '"]');
      if (node) node.textContent = shown(t.counts[key]);
    });
    cast = t.cast;
    showTallyOf();
    showQuorum(t);
  }

  var conn = document.getElementById("conn");
  function showConnection(state, text) {
    if (!conn) return;
    conn.textContent = text;
    conn.className = "badge conn " + state;
    // The projector shows only trouble (its banner says a pause); the dashboard also says it is live.
    conn.hidden = cfg.view === "projector" && (state === "live" || state === "paused");
  }

  // With several server processes, live updates cross between them through Redis. When that
  // link is down the process this page is connected to says so (`paused`, and the answer to
  // `watch` after every reconnect); the banner, drawn hidden by the page in its language, shows
  // until the link returns and the figures catch up (kiosk/web/live.py).
  var pausedBanner = document.getElementById("live-paused");
  var paused = false;
  function showLive() {
    if (paused && pausedBanner) showConnection("paused", pausedBanner.getAttribute("data-short"));
    else showConnection("live", L.live);
  }
  function showPaused(value) {
    paused = value === true;
    if (pausedBanner) pausedBanner.hidden = !paused;
    document.body.classList.toggle("live-view-paused", paused);
    if (socket.connected) showLive();
  }

  function stale(state) {
    if (state && state !== cfg.state) {
      if (!leaving) window.location.reload();
      return true;
    }
    return false;
  }

  var socket = window.io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    // Also on every reconnect: a new connection has joined no room yet.
    socket.emit("watch", { poll: cfg.poll }, function (answer) {
      if (answer && answer.error) showConnection("fail", L.unauthorized);
      else if (answer) showPaused(answer.paused);
    });
    showLive();
  });
  socket.on("paused", function (event) { showPaused(!!(event && event.paused)); });
  socket.on("disconnect", function () { showConnection("reconnecting", L.reconnecting); });
  socket.io.on("reconnect_attempt", function () { showConnection("reconnecting", L.reconnecting); });

  socket.on("state", function (event) {
    if (event && event.poll === cfg.poll) stale(event.state);
  });
  socket.on("turnout", function (t) {
    if (!t || t.poll !== cfg.poll || stale(t.state)) return;
    if (cfg.view === "projector" && !cfg.show_turnout) return;
    showTurnout(t);
  });
  // The log's head after every change (opening, attendance, slips …): shown large on the
  // projector for the room to read out; after the close the page shows the head at the close.
  socket.on("log_head", function (head) {
    if (!head || head.poll !== cfg.poll || !head.code) return;
    var node = document.getElementById("log-head");
    if (node && cfg.state !== "closed") node.textContent = head.code;
  });
  socket.on("tally", function (doc) {
    if (!doc || doc.poll !== cfg.poll || stale(doc.state)) return;
    if (cfg.view !== "dashboard") return;  // the projector shows no tally while voting goes on
    var target = document.getElementById("tally-board");
    if (!target) return;
    target.replaceChildren(board(doc));
    counted = doc.cast;
    showTallyOf();
  });
})();
