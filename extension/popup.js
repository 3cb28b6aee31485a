/*
 * The popup: the paper as extracted (title editable), List and Section from the server with the
 * suggestion preselected, tags, note, Save, and a role="status" line that says what happened.
 * `popup.html?tab=<id>` acts on that tab instead of the active one (tests, and the docs' screenshots).
 * All server traffic goes through the service worker (lib/api.js).
 */

import { leftOutNote, placeText, sectionLabel } from "./lib/places.js";

const { extractPaper, pageKind } = globalThis.PapershelfExtract;
const $ = (id) => document.getElementById(id);
/** The lists the server gave (or the last ones known): their sections' labels name places. */
let knownLists = [];

function say(state, text) {
  const status = $("status");
  status.dataset.state = state;
  status.textContent = text;
}

async function ask(type, payload = {}) {
  const reply = await chrome.runtime.sendMessage({ type: `papershelf:${type}`, ...payload });
  if (!reply) throw Object.assign(new Error("The extension's service worker did not answer."), { kind: "internal" });
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
  return reply.data;
}

function where(list, section, line) {
  return placeText(knownLists, list, section, line);
}

function explain(err, canQueue = true) {
  switch (err.kind) {
    case "offline": {
      const then = canQueue ? "A clip saved now is queued." : "Its lists are not known yet: open papershelf again once it runs.";
      return ["offline", `${err.message} Start it with \`papershelf serve\`. ${then}`];
    }
    case "unpaired": {
      // api.js's own messages may already say where the token comes from: say it once.
      const advice = err.message.includes("papershelf token") ? "" : " Open Settings and paste the token from `papershelf token`.";
      return ["unpaired", `${err.message}${advice}`];
    }
    case "api": {
      // The server's error is one readable sentence that already names the fields (and the
      // closest section); the field list is only for an answer without one ("HTTP 418").
      if (!/^HTTP \d+$/.test(err.message)) return ["error", `Not saved: ${err.message}`];
      const fields = Object.entries(err.fields || {})
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" ") : typeof v === "object" ? JSON.stringify(v) : v}`)
        .join("; ");
      return ["error", `Not saved: ${err.message}${fields ? ` (${fields})` : ""}`];
    }
    case "incompatible":
      return ["error", err.message]; // says which side to update
    default:
      return ["error", `Something went wrong: ${err.message}`];
  }
}

async function targetTab() {
  const param = new URLSearchParams(location.search).get("tab");
  if (param) return chrome.tabs.get(Number(param));
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

/**
 * Run lib/extract-fields.js and lib/extract.js in the page; PDF tabs and unscriptable pages fall
 * back to the URL.
 */
async function readPaper(tab) {
  const url = tab.url || tab.pendingUrl || "";
  if (url && pageKind(url) === "pdf") {
    const paper = extractPaper(null, url);
    // Chrome shows a PDF's Title metadata as the tab title: a fair first guess, still editable.
    // Without one it shows the URL's file name ("9901001v2" for hep-th/9901001v2): no title.
    const guess = (tab.title || "").trim();
    const file = decodeURIComponent(new URL(url).pathname.split("/").pop() || "");
    if (guess && guess !== file && !/\.pdf$|^\d{4}\.\d{4,5}|^https?:|arxiv/i.test(guess)) paper.title = guess;
    return paper;
  }
  try {
    await chrome.scripting.executeScript({
      target: { tabId: tab.id },
      files: ["lib/extract-fields.js", "lib/extract.js"],
    });
    const [result] = await chrome.scripting.executeScript({
      target: { tabId: tab.id },
      func: () => globalThis.PapershelfExtract.extractPaper(document, location.href),
    });
    if (result && result.result) return result.result;
  } catch (_err) {
    // not scriptable (chrome:// pages, the store, no permission): use what the URL says
  }
  if (url && pageKind(url) !== "generic") return extractPaper(null, url);
  throw Object.assign(new Error("This page cannot be read. Open an arXiv abs, html or pdf page."), { kind: "internal" });
}

/** Why a read-only list cannot be picked (the option's tooltip) and why Save refuses it. */
const readOnlyWhy = (path) => `${path} is read-only; papershelf does not write it (chmod u+w ${path} lets it).`;

/**
 * One option per list. A read-only one is still shown (the user knows the list; its name says
 * why it is not offered) but disabled: a clip into it could only be refused (HTTP 409). The first
 * writable list is picked; none when every list is read-only.
 */
function fillLists(lists) {
  const select = $("list");
  select.replaceChildren(
    ...lists.map((list) => {
      const name = list.title && list.title !== list.path ? `${list.title} (${list.path})` : list.path;
      const option = new Option(list.readOnly ? `${name} (read-only)` : name, list.path);
      if (list.readOnly) Object.assign(option, { disabled: true, title: readOnlyWhy(list.path) });
      return option;
    })
  );
  const writable = lists.find((l) => !l.readOnly);
  select.value = writable ? writable.path : "";
}

function fillSections(lists, listPath) {
  const list = lists.find((l) => l.path === listPath);
  const select = $("section");
  select.replaceChildren(
    // The path below the list's title ("Scaling > Other"), collapsed or open: a last heading
    // alone ("Other") can be any of several.
    ...(list ? list.sections : []).map((s) => new Option(s.label || s.path, s.path))
  );
}

function choose(lists, list, section) {
  // A place in a read-only list (where the paper is, a suggestion, the last one used) is not
  // preselected: the first writable list stays picked.
  if (!list || !lists.some((l) => l.path === list && !l.readOnly)) return false;
  $("list").value = list;
  fillSections(lists, list);
  const sections = lists.find((l) => l.path === list).sections;
  const match =
    sections.find((s) => s.path === section) ||
    sections.find((s) => s.path.split(" > ").pop() === section);
  if (match) $("section").value = match.path;
  return Boolean(match);
}

function showMeta(paper) {
  const bits = [];
  if (paper.authors && paper.authors.length) {
    bits.push(paper.authors.length > 3 ? `${paper.authors.slice(0, 3).join(", ")} et al.` : paper.authors.join(", "));
  }
  if (paper.published) bits.push(paper.published);
  if (paper.arxiv_id) bits.push(`arXiv:${paper.arxiv_id}`);
  if (paper.code_url) bits.push("code ↗");
  $("meta").textContent = bits.join(" · ");
}

function paperFromForm(paper) {
  const out = { ...paper };
  const title = $("title").value.trim();
  if (title) out.title = title;
  else delete out.title;
  const tags = $("tags").value.split(",").map((t) => t.trim()).filter(Boolean);
  if (tags.length) out.tags = tags;
  const note = $("note").value.trim();
  if (note) out.note = note;
  return out;
}

async function main() {
  $("options").addEventListener("click", () => chrome.runtime.openOptionsPage());
  let tab;
  let paper;
  try {
    tab = await targetTab();
    paper = await readPaper(tab);
  } catch (err) {
    say(...explain(err));
    $("save").disabled = true;
    document.body.dataset.ready = "true";
    return;
  }
  $("title").value = paper.title || "";
  showMeta(paper);

  const info = await ask("prepare", { paper }).catch((err) => ({ lists: [], places: [], suggestions: [], error: err, last: {} }));
  const lists = info.lists || [];
  knownLists = lists;
  // Lists that have the paper: "Add here too" files it in another one on purpose.
  const holding = new Set((info.places || []).map((p) => p.list));
  const showAlso = () => {
    const chosen = lists.find((l) => l.path === $("list").value);
    $("also").hidden = !(holding.size && chosen && !chosen.readOnly && !holding.has(chosen.path));
  };
  const writable = lists.some((l) => !l.readOnly);
  fillLists(lists);
  let hint = null; // the suggested place and its words, shown while it is the one picked
  const showHint = () => {
    const here = hint && $("list").value === hint.list && $("section").value === hint.section;
    $("why").textContent = here ? hint.text : "";
  };
  $("list").addEventListener("change", () => {
    fillSections(lists, $("list").value);
    showHint();
    showAlso();
  });
  $("section").addEventListener("change", showHint);
  fillSections(lists, $("list").value);

  // Preselect: where it already is, else the best suggestion, else the last place used.
  const [top] = info.suggestions || [];
  const placed = (info.places || [])[0];
  if (placed) choose(lists, placed.list, placed.section);
  else if (top && choose(lists, top.list, top.section)) {
    const words = Array.isArray(top.why) ? top.why.join(", ") : top.why || "";
    const name = sectionLabel(lists, $("list").value, $("section").value);
    hint = { list: $("list").value, section: $("section").value, text: `Suggested: ${name}${words ? ` (${words})` : ""}` };
    showHint();
  } else choose(lists, info.last.list, info.last.section);

  if (info.error) {
    say(...explain(info.error, lists.length > 0));
    if (!lists.length) $("save").disabled = true;
  } else if (placed) {
    const more = lists.some((l) => !l.readOnly && !holding.has(l.path)) ? " To file it in another list as well, pick it and press Add here too." : "";
    say("exists", `Already listed in ${info.places.map((p) => where(p.list, p.section, p.line)).join("; ")}.${more}`);
  } else if (info.refused && info.refused.length) {
    const r = info.refused[0];
    say("error", `Not saved: the clip queued for ${where(r.list, r.section)} was refused: ${r.error}`);
  } else if (info.serverQueued) {
    say("queued", `Queued by the server for ${where(info.serverQueued.list, info.serverQueued.section)}: it is added when arXiv answers.`);
  } else if (info.possible && info.possible.length) {
    const p = info.possible[0];
    say("possible", `Possibly listed already, as "${p.title}" in ${where(p.list, p.section, p.line)}. Save adds it anyway.`);
  } else if (!lists.length) {
    say("error", "The server has no lists yet: add a markdown list to the workspace.");
    $("save").disabled = true;
  } else if (!writable) {
    say("error", "Every list is read-only: papershelf writes none of them (chmod u+w LIST lets it).");
  } else {
    say("ready", info.queued ? `Ready. ${info.queued} clip(s) still queued.` : "Ready: pick a list and section, then Save.");
  }

  if (lists.length && !writable) $("save").disabled = true; // a clip could only be refused
  showAlso();

  async function save(also) {
    const chosen = lists.find((l) => l.path === $("list").value);
    if (chosen && chosen.readOnly) {
      say("error", `Not saved: ${readOnlyWhy(chosen.path)} Pick another list.`);
      document.body.dataset.saved = "error";
      return;
    }
    $("save").disabled = true;
    $("also").disabled = true;
    say("saving", "Saving…");
    try {
      const result = await ask("save", {
        paper: paperFromForm(paper),
        list: $("list").value,
        section: $("section").value,
        tabId: tab.id,
        also,
      });
      const note = leftOutNote(result.list, result.left_out);
      if (result.status === "added") {
        say("saved", `Saved to ${where(result.list, result.section, result.line)}.${note ? ` ${note}` : ""}`);
        holding.add(result.list);
      } else if (result.status === "exists") {
        const elsewhere = result.list !== $("list").value;
        const offer = elsewhere ? ` Add here too files it in ${$("list").value} as well.` : "";
        say("exists", `Already listed in ${where(result.list, result.section, result.line)}.${offer}`);
        holding.add(result.list);
      } else if (result.offline) {
        say("queued", `Queued: the server is offline; the clip is kept and sent when it answers (${result.waiting} waiting).`);
      } else {
        const place = where(result.list || $("list").value, result.section || $("section").value);
        say("queued", `Queued by the server for ${place}: it is added when arXiv answers (the server completes a bare id from arXiv).`);
      }
    } catch (err) {
      say(...explain(err));
    } finally {
      $("save").disabled = false;
      $("also").disabled = false;
      showAlso();
      // What the last Save came to (the status line's state): a handle for tests and scripts.
      document.body.dataset.saved = $("status").dataset.state;
    }
  }

  $("clip").addEventListener("submit", (event) => {
    event.preventDefault();
    save(false);
  });
  $("also").addEventListener("click", () => save(true));
  document.body.dataset.ready = "true";
}

main();
