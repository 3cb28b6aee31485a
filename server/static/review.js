// papershelf review page: keyboard shortcuts and in-place decisions on top of plain forms.
// Without this script every form still works (each decision reloads the page).
(function () {
  "use strict";

  var live = document.getElementById("live");
  var current = null;
  // How often the status bar asks the server again while the page is shown (a commit lands a
  // few seconds after an Accept; a poll or a push at any time).
  var STATUS_EVERY_MS = 5000;

  // The status bar as the server sees it now: [{name, state, detail, error}].
  function showStatus(items) {
    if (!Array.isArray(items)) { return; }
    items.forEach(function (item) {
      var part = document.querySelector(".statusbar [data-part='" + String(item.name).toLowerCase() + "']");
      if (!part) { return; }
      part.className = "status-item state-" + item.state + (item.error ? " has-error" : "");
      part.querySelector(".state").textContent = item.state;
      part.querySelector(".detail").textContent = item.detail;
      var error = part.querySelector(".error-text");
      if (item.error) {
        if (!error) {
          error = document.createElement("span");
          error.className = "error-text";
          part.appendChild(error);
        }
        error.textContent = "error: " + item.error;
      } else if (error) {
        error.remove();
      }
    });
  }

  function refreshStatus() {
    if (!document.querySelector(".statusbar") || document.hidden) { return; }
    fetch("/review/status", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) { if (answer.ok) { showStatus(answer.status); } })
      .catch(function () { /* the next refresh tries again */ });
  }
  setInterval(refreshStatus, STATUS_EVERY_MS);
  document.addEventListener("visibilitychange", refreshStatus);

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("li.candidate"));
  }

  function say(text, isError) {
    if (!live) { return; }
    live.textContent = text;
    live.classList.toggle("banner-error", Boolean(isError));
  }

  function setCurrent(card, focus) {
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = card || null;
    if (!current) { return; }
    current.classList.add("current");
    current.setAttribute("aria-current", "true");
    if (focus !== false) {
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var list = cards();
    if (!list.length) { return; }
    var at = list.indexOf(current);
    var next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
    setCurrent(list[next]);
  }

  function updateCount() {
    var count = document.querySelector("h1 .count");
    // "N" or "N of M": one card fewer on both counts.
    if (count) {
      count.textContent = count.textContent.replace(/\d+/g, function (n) {
        return String(Math.max(0, Number(n) - 1));
      });
    }
  }

  function removeCard(card) {
    var list = cards();
    var at = list.indexOf(card);
    var next = list[at + 1] || list[at - 1] || null;
    card.remove();
    updateCount();
    if (current === card) { current = null; setCurrent(next); }
    if (!cards().length) { say(live.textContent + " Nothing left to review."); }
  }

  // One card's decision: the queue form's token and filters, the card's picker and the button.
  function decide(form, card, submitter) {
    var data = new FormData();
    form.querySelectorAll(":scope > input[type=hidden]").forEach(function (input) {
      data.append(input.name, input.value);
    });
    var picker = card.querySelector("select[data-target-for]");
    if (picker) { data.append(picker.name, picker.value); }
    data.set(submitter.name, submitter.value);
    card.classList.add("busy");
    var buttons = card.querySelectorAll(".decide button");
    buttons.forEach(function (b) { b.disabled = true; });
    return fetch(submitter.getAttribute("formaction"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: "Unexpected answer (HTTP " + response.status + ")." };
      });
    }).then(function (answer) {
      if (answer.ok) {
        say(answer.message, false);
        removeCard(card);
        showStatus(answer.status);
      } else {
        say(answer.error || "The decision failed.", true);
        card.classList.remove("busy");
        buttons.forEach(function (b) { b.disabled = false; });
      }
    }).catch(function () {
      say("The server did not answer; is papershelf serve running?", true);
      card.classList.remove("busy");
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  // A card's own button (it has a formaction) is decided in the background; the bulk buttons
  // post the queue form as it is: every card's picker is in it, so each goes where it says.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var card = submitter && submitter.closest("li.candidate");
    if (form.id === "bulk" && card && submitter.hasAttribute("formaction")) {
      event.preventDefault();
      decide(form, card, submitter);
    }
  });

  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("li.candidate");
    if (card && card !== current) { setCurrent(card, false); }
  });

  var selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll("input.pick").forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  function press(action) {
    if (!current) { move(1); }
    if (!current) { return; }
    var button = current.querySelector("button[value='" + action + "']");
    if (button && !button.disabled) { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.target.isContentEditable) { return; }
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": press("accept"); break;
      case "r": press("reject"); break;
      case "s": press("snooze"); break;
      case "x":
        if (current) { var box = current.querySelector("input.pick"); box.checked = !box.checked; }
        break;
      case "o":
        if (current) {
          var link = current.querySelector("a.open");
          if (link) { window.open(link.href, "_blank", "noopener,noreferrer"); }
        }
        break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  var first = cards()[0];
  if (first) { setCurrent(first, false); }
})();
