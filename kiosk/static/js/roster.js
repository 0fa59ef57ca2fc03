/* The door page (templates/admin/roster/door.html): the search filters as the clerk types, by
   name, unit or pinyin (initials or full, from each row's data-keys); a tick is sent in the
   background and its row redrawn from the server's answer, so the list and the search stay put.
   Without this script the page works by its forms and its query. */
(function () {
  "use strict";
  var list = document.querySelector("[data-members]");
  var search = document.querySelector("[data-search]");
  var message = document.querySelector("[data-door-message]");
  var noneFound = document.querySelector("[data-none-found]");
  if (!list) return;

  function norm(text) { return (text || "").toLowerCase().replace(/\s+/g, ""); }

  function matches(row, q) {
    if (!q) return true;
    if (norm(row.dataset.name).indexOf(q) >= 0 || norm(row.dataset.unit).indexOf(q) >= 0) return true;
    return (row.dataset.keys || "").split(" ").some(function (key) { return key.indexOf(q) === 0; });
  }

  function filter() {
    var q = norm(search ? search.value : "");
    var shown = 0;
    list.querySelectorAll("li.member").forEach(function (row) {
      var show = matches(row, q);
      row.hidden = !show;
      if (show) shown += 1;
    });
    if (noneFound) noneFound.hidden = shown > 0;
  }

  function say(text, ok) {
    if (!message) return;
    message.textContent = text;
    message.className = "door-message " + (ok ? "ok" : "bad");
  }

  function setCounts(counts) {
    ["present", "absent", "left"].forEach(function (key) {
      var cell = document.querySelector('[data-roster-counts] [data-count="' + key + '"] b');
      if (cell && counts[key] !== undefined) cell.textContent = counts[key];
    });
  }

  if (search) {
    search.addEventListener("input", filter);
    search.form.addEventListener("submit", function (event) {
      // Enter with one member left: nothing to send, the list is already filtered.
      event.preventDefault();
      filter();
    });
  }

  list.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-act]");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (answer) {
        return answer.json().then(function (body) { return {ok: answer.ok, body: body}; });
      })
      .then(function (result) {
        var body = result.body;
        say(body.message, result.ok);
        if (body.row) {
          var holder = document.createElement("ul");
          holder.innerHTML = body.row.trim();
          var row = holder.firstElementChild;
          form.closest("li.member").replaceWith(row);
          row.classList.add("flash");
          setTimeout(function () { row.classList.remove("flash"); }, 1500);
        }
        if (body.counts) setCounts(body.counts);
        if (result.ok && search && form.dataset.act === "sign_in") {
          search.value = "";
          filter();
          search.focus();
        }
      })
      .catch(function () { form.submit(); })
      .finally(function () { if (button) button.disabled = false; });
  });
  filter();
}());
