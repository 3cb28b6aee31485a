/*
 * papershelf service worker (Chrome) / background script (Firefox).
 * Listeners are registered at top level, synchronously, as MV3 requires; no state lives in
 * globals (chrome.storage.local holds settings, queue and remembered choices). Every call to the
 * server goes through lib/api.js.
 */

import "./lib/extract-fields.js";
import "./lib/extract.js";
import * as api from "./lib/api.js";
import { placeText } from "./lib/places.js";
import { ALARM, enqueue, ensureAlarm, flush, queued, refusedClips } from "./lib/queue.js";
import { getSettings, normaliseServerUrl } from "./lib/settings.js";

const { extractPaper, arxivIdFromUrl } = globalThis.PapershelfExtract;
const MENU_ID = "papershelf-clip-link";
const ARXIV_LINKS = [
  "*://arxiv.org/abs/*", "*://arxiv.org/pdf/*", "*://arxiv.org/html/*",
  "*://www.arxiv.org/abs/*", "*://www.arxiv.org/pdf/*", "*://www.arxiv.org/html/*",
];
const BADGES = {
  listed: { text: "✓", color: "#2e7d32" },
  added: { text: "✓", color: "#2e7d32" },
  queued: { text: "…", color: "#5f6368" },
  error: { text: "!", color: "#c62828" },
  none: { text: "", color: null },
};

/* ---------- top-level listeners ---------- */

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({
      id: MENU_ID,
      title: "Clip this arXiv paper to papershelf",
      contexts: ["link"],
      targetUrlPatterns: ARXIV_LINKS,
    });
  });
  resumeQueue();
});

chrome.runtime.onStartup.addListener(resumeQueue);

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) flushAndMark().catch(() => {});
});

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID && info.linkUrl) {
    clipLink(info.linkUrl, tab ? tab.id : undefined).catch(() => {});
  }
});

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  // Chrome's PDF viewer runs no content script: mark arXiv PDF tabs from here.
  if (change.status === "complete" && tab.url) {
    const ids = arxivIdFromUrl(tab.url);
    if (ids && ids.kind === "pdf") refreshBadge(tabId, extractPaper(null, tab.url)).catch(() => {});
  }
});

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!message || typeof message.type !== "string" || !message.type.startsWith("papershelf:")) {
    return false;
  }
  if (sender.id !== chrome.runtime.id) return false;
  handle(message, sender).then(
    (data) => sendResponse({ ok: true, data }),
    (err) => sendResponse({ ok: false, error: api.errorToJSON(err) })
  );
  return true; // answer asynchronously
});

/* ---------- what the listeners do ---------- */

async function resumeQueue() {
  if ((await queued()).length) await ensureAlarm();
}

/** Send the queue; the arXiv tabs' badges then say what came of it (listed, refused, nothing). */
async function flushAndMark() {
  const result = await flush();
  if (result.delivered || result.refused) {
    for (const tab of await chrome.tabs.query({ url: ARXIV_LINKS })) {
      await refreshBadge(tab.id, extractPaper(null, tab.url)).catch(() => {});
    }
  }
  return result;
}

async function handle(message, sender) {
  switch (message.type) {
    case "papershelf:page":
      if (sender.tab && sender.tab.id !== undefined) return refreshBadge(sender.tab.id, message.paper);
      return null;
    case "papershelf:prepare":
      return prepare(message.paper);
    case "papershelf:save":
      return deliver(message.paper, message.list, message.section, message.tabId, Boolean(message.also));
    case "papershelf:clip-link":
      return clipLink(message.url, message.tabId);
    case "papershelf:test-connection":
      return api.checkConnection({
        serverUrl: normaliseServerUrl(message.serverUrl),
        token: String(message.token || "").trim(),
      });
    case "papershelf:flush":
      return flushAndMark();
    case "papershelf:queue":
      return { queue: await queued() };
    default:
      throw new Error(`unknown message ${message.type}`);
  }
}

/** What the popup needs at once: lists, where the paper already is, and a suggested section. */
async function prepare(paper) {
  const out = {
    lists: [], places: [], possible: [], serverQueued: null, suggestions: [],
    error: null, fromCache: false, last: {}, queued: 0, refused: [],
  };
  const stored = await chrome.storage.local.get(["cachedLists", "lastList", "lastSection"]);
  out.last = { list: stored.lastList || "", section: stored.lastSection || "" };
  out.queued = (await queued()).length;
  try {
    await api.ping(); // papershelf, and speaking this extension's API version
    out.lists = await api.getLists();
    await chrome.storage.local.set({ cachedLists: out.lists });
  } catch (err) {
    out.error = api.errorToJSON(err);
    out.lists = stored.cachedLists || [];
    out.fromCache = true;
    return out;
  }
  if (out.queued) flushAndMark().catch(() => {}); // the server answers again: send what waited
  if (paper && (paper.url || paper.arxiv_id)) {
    try {
      const found = await api.lookup({ url: paper.url, id: paper.arxiv_id, title: paper.title });
      out.places = found.places;
      out.possible = found.possible;
      out.serverQueued = found.queued;
      out.refused = (await refusedClips(paper)).map((f) => ({ list: f.list, section: f.section, error: f.error.message }));
    } catch (_err) {
      out.places = [];
    }
  }
  if (paper && paper.title) {
    try {
      out.suggestions = await api.suggest(paper.title, paper.abstract || "");
    } catch (_err) {
      out.suggestions = [];
    }
  }
  return out;
}

/** The lists the server last gave, for the labels of sections in badge titles (asked once). */
async function knownLists() {
  const { cachedLists } = await chrome.storage.local.get("cachedLists");
  if (cachedLists && cachedLists.length) return cachedLists;
  try {
    const lists = await api.getLists();
    await chrome.storage.local.set({ cachedLists: lists });
    return lists;
  } catch (_err) {
    return []; // the full address then: still right, only longer
  }
}

/** Save one clip (`also`: into a second list); when the server is down, keep it and say "queued". */
async function deliver(paper, list, section, tabId, also = false) {
  await chrome.storage.local.set({ lastList: list, lastSection: section });
  let result;
  try {
    result = await api.savePaper(paper, list, section, also);
  } catch (err) {
    if (!(err instanceof api.OfflineError)) throw err;
    const waiting = await enqueue(paper, list, section, also);
    result = { status: "queued", list, section, waiting, offline: true };
  }
  if (tabId !== undefined && tabId !== null) {
    const where = placeText(await knownLists(), result.list || list, result.section || section);
    if (result.status === "queued") await setBadge(tabId, "queued", `papershelf: queued for ${where}`);
    else await setBadge(tabId, "listed", `papershelf: in ${where}`);
  }
  await chrome.storage.local.set({ lastResult: { ...result, title: paper.title || paper.arxiv_id, at: new Date().toISOString() } });
  return result;
}

/** Context menu: clip an arXiv link without opening it, into the last list and section used. */
async function clipLink(linkUrl, tabId) {
  const ids = arxivIdFromUrl(linkUrl);
  if (!ids) throw new api.ApiError("Not an arXiv paper link.", { status: 400 });
  const paper = extractPaper(null, linkUrl);
  const { lastList, lastSection } = await chrome.storage.local.get(["lastList", "lastSection"]);
  if (!lastList || !lastSection) {
    const error = "Open papershelf once on a paper to choose a list; links go to the last one used.";
    await chrome.storage.local.set({ lastResult: { status: "error", error, at: new Date().toISOString() } });
    if (tabId !== undefined) await setBadge(tabId, "error", `papershelf: ${error}`);
    throw new api.ApiError(error, { status: 400 });
  }
  return deliver(paper, lastList, lastSection, tabId);
}

/** Mark the toolbar icon when the page's paper is already in a list (before any click). */
async function refreshBadge(tabId, paper) {
  if (!paper || !(paper.url || paper.arxiv_id)) return "no-paper";
  const { token } = await getSettings();
  if (!token) return "unpaired";
  let places = [];
  try {
    places = (await api.lookup({ url: paper.url, id: paper.arxiv_id })).places;
  } catch (err) {
    if (err instanceof api.OfflineError) throw err; // the content script asks again later
    return err.kind; // not paired, API error: say nothing rather than something wrong
  }
  if (places.length) {
    const lists = await knownLists();
    const where = places.map((p) => placeText(lists, p.list, p.section)).join("; ");
    await setBadge(tabId, "listed", `papershelf: already in ${where}`);
    return "listed";
  }
  const [refused] = await refusedClips(paper);
  if (refused) {
    const where = placeText(await knownLists(), refused.list, refused.section);
    await setBadge(tabId, "error", `papershelf: not saved to ${where}: ${refused.error.message}`);
    return "refused";
  }
  await setBadge(tabId, "none", "Clip to papershelf");
  return "unlisted";
}

async function setBadge(tabId, state, title) {
  const look = BADGES[state] || BADGES.none;
  try {
    // Title and colour first: the badge text is what a reader (or a test) notices last.
    await chrome.action.setTitle({ tabId, title });
    if (look.color) await chrome.action.setBadgeBackgroundColor({ tabId, color: look.color });
    await chrome.action.setBadgeText({ tabId, text: look.text });
  } catch (_err) {
    // the tab went away
  }
}
