/*
 * Clips the server could not take yet. They wait in chrome.storage.local (`queue`) and an alarm
 * re-sends them until the server answers; nothing is kept in service-worker globals.
 */

import { ApiError, NotPairedError, OfflineError, errorToJSON, savePaper } from "./api.js";

export const ALARM = "papershelf-retry";
/** Minutes between retries; chrome.storage.local `retryMinutes` overrides it (tests, impatient users). */
export const DEFAULT_RETRY_MINUTES = 0.5;
const KEEP_RESULTS = 20;

/** Run `fn` alone: the popup, the alarm and the context menu may all touch the queue at once. */
function exclusive(fn) {
  if (globalThis.navigator && navigator.locks && navigator.locks.request) {
    return navigator.locks.request("papershelf-queue", fn);
  }
  return fn();
}

export async function queued() {
  const { queue = [] } = await chrome.storage.local.get("queue");
  return queue;
}

/** Queued clips of `paper` the server refused when they were sent (newest first). */
export async function refusedClips(paper) {
  const key = (p) => p.url || String(p.arxiv_id || "").replace(/v\d+$/, "");
  const { failed = [] } = await chrome.storage.local.get("failed");
  return failed.filter((f) => f.paper && key(f.paper) === key(paper));
}

export async function ensureAlarm() {
  const existing = await chrome.alarms.get(ALARM);
  if (existing) return;
  const { retryMinutes } = await chrome.storage.local.get("retryMinutes");
  const minutes = Number(retryMinutes) > 0 ? Number(retryMinutes) : DEFAULT_RETRY_MINUTES;
  await chrome.alarms.create(ALARM, { delayInMinutes: minutes, periodInMinutes: minutes });
}

/** Keep one clip for later (`also`: for a second list, kept with it); returns how many wait. */
export async function enqueue(paper, list, section, also = false) {
  const length = await exclusive(async () => {
    const queue = await queued();
    const key = paper.arxiv_id || paper.url;
    // The same paper to the same place twice is one clip.
    const rest = queue.filter((q) => !((q.paper.arxiv_id || q.paper.url) === key && q.list === list && q.section === section));
    rest.push({ id: crypto.randomUUID(), paper, list, section, also: Boolean(also), queuedAt: new Date().toISOString(), attempts: 0 });
    await chrome.storage.local.set({ queue: rest });
    return rest.length;
  });
  await ensureAlarm();
  return length;
}

async function remember(key, entry) {
  const stored = await chrome.storage.local.get(key);
  const items = [entry, ...(stored[key] || [])].slice(0, KEEP_RESULTS);
  await chrome.storage.local.set({ [key]: items });
}

/**
 * Send what waits, oldest first. Stops at the first offline or pairing failure (the rest waits);
 * a clip the server refuses (4xx) moves to `failed` so it does not block the others forever.
 */
export async function flush() {
  return exclusive(async () => {
    const queue = await queued();
    const delivered = [];
    let refused = 0;
    let waiting = queue.slice();
    for (const item of queue) {
      try {
        const result = await savePaper(item.paper, item.list, item.section, Boolean(item.also));
        delivered.push(result);
        await remember("delivered", {
          title: item.paper.title || item.paper.arxiv_id || item.paper.url,
          status: result.status,
          list: result.list || item.list,
          section: result.section || item.section,
          line: result.line || 0,
          at: new Date().toISOString(),
        });
      } catch (err) {
        if (err instanceof OfflineError || err instanceof NotPairedError || !(err instanceof ApiError)) {
          waiting = waiting.map((q) => (q.id === item.id ? { ...q, attempts: q.attempts + 1 } : q));
          break;
        }
        await remember("failed", { ...item, error: errorToJSON(err), at: new Date().toISOString() });
        refused += 1;
      }
      waiting = waiting.filter((q) => q.id !== item.id);
    }
    await chrome.storage.local.set({ queue: waiting });
    if (waiting.length === 0) await chrome.alarms.clear(ALARM);
    return { delivered: delivered.length, refused, waiting: waiting.length };
  });
}
