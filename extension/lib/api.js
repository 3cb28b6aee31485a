/*
 * The ONE module that talks to the local papershelf server (zotero-connectors' rule).
 * Every request has a timeout; every failure is typed:
 *   OfflineError   nothing answers (connection refused, timeout, not papershelf),
 *   NotPairedError no token stored, or the server refused it (401/403),
 *   ApiError       the server answered with its error shape {ok: false, error, fields}.
 * Every route but GET /api/ping sends X-Papershelf-Token.
 */

import { getSettings } from "./settings.js";

export const TIMEOUT_MS = 8000;

export class PapershelfError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.name = "PapershelfError";
    this.kind = kind;
    this.status = extra.status || 0;
    this.fields = extra.fields || {};
  }

  toJSON() {
    return { kind: this.kind, message: this.message, status: this.status, fields: this.fields };
  }
}

export class OfflineError extends PapershelfError {
  constructor(message, extra) {
    super("offline", message, extra);
    this.name = "OfflineError";
  }
}

export class NotPairedError extends PapershelfError {
  constructor(message, extra) {
    super("unpaired", message, extra);
    this.name = "NotPairedError";
  }
}

export class ApiError extends PapershelfError {
  constructor(message, extra) {
    super("api", message, extra);
    this.name = "ApiError";
  }
}

/** Serialisable form of any error, for messages between popup and service worker. */
export function errorToJSON(err) {
  if (err instanceof PapershelfError) return err.toJSON();
  return { kind: "internal", message: String((err && err.message) || err), status: 0, fields: {} };
}

async function request(method, path, { query, body, auth = true, settings, timeoutMs = TIMEOUT_MS } = {}) {
  const { serverUrl, token } = settings || (await getSettings());
  if (auth && !token) {
    throw new NotPairedError("Not paired: no token is set. Paste the one `papershelf token` prints in the options.");
  }
  if (auth && /[^\x21-\x7e]/.test(token)) {
    // fetch cannot send it (a typographic quote, a space): not an offline server, a bad paste.
    throw new NotPairedError(
      "Not paired: the token has a character no papershelf token has (a quote or a space?). Paste the one `papershelf token` prints."
    );
  }
  const url = new URL(path, serverUrl);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = { Accept: "application/json" };
  if (auth) headers["X-Papershelf-Token"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(url.href, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
    });
  } catch (err) {
    const why = err && err.name === "AbortError" ? `no answer within ${timeoutMs / 1000} s` : "connection failed";
    throw new OfflineError(`Server offline: nothing answers at ${serverUrl} (${why}).`);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch (_err) {
    data = null;
  }
  if (data === null || typeof data !== "object") {
    // papershelf answers JSON, errors included: whatever answered this is something else.
    throw new OfflineError(`Something answers at ${serverUrl}, but it is not papershelf (HTTP ${response.status}, no JSON).`, {
      status: response.status,
    });
  }
  if (response.status === 401 || response.status === 403) {
    const detail = data && data.error ? ` (${data.error})` : "";
    throw new NotPairedError(`Not paired: the server refused the token${detail}.`, { status: response.status });
  }
  if (!response.ok) {
    const message = data && data.error ? data.error : `HTTP ${response.status}`;
    throw new ApiError(message, { status: response.status, fields: (data && data.fields) || {} });
  }
  return { status: response.status, data };
}

/** GET /api/ping: {ok, app, version, api}; throws OfflineError when it is not papershelf. */
export async function ping(settings) {
  const { data } = await request("GET", "/api/ping", { auth: false, settings, timeoutMs: 3000 });
  if (data.app !== "papershelf") {
    throw new OfflineError("Something answers there, but it is not papershelf.");
  }
  return data;
}

/** GET /api/lists -> [{path, title, readOnly, sections: [{path, label, title, level, entries}]}]. */
export async function getLists(settings) {
  const { data } = await request("GET", "/api/lists", { settings });
  const lists = Array.isArray(data) ? data : data.lists || [];
  return lists.map((list) => ({
    path: list.path,
    title: list.title || list.path,
    // The server will not write it (no write bit, or a folder it cannot write): a clip is a 409.
    readOnly: Boolean(list.read_only),
    sections: (list.sections || []).map((s) => ({
      path: s.path,
      // The path below the list's title ("Scaling > Other"): what people read (lib/places.js).
      label: s.label || s.path,
      title: s.title || s.path,
      level: s.level || 1,
      entries: s.entries || 0,
    })),
  }));
}

/** GET /api/suggest -> [{list, section, score, why}], best first. */
export async function suggest(title, abstract) {
  const { data } = await request("GET", "/api/suggest", {
    query: { title, abstract: (abstract || "").slice(0, 3000) },
  });
  const items = Array.isArray(data) ? data : data.suggestions || data.results || [];
  return items.filter((s) => s && s.list && s.section);
}

/** GET /api/lookup?url= (or ?id=) -> {places: [{list, section, line, entry}], candidate, queued}. */
export async function lookup({ url, id, title }) {
  const query = url ? { url } : { id };
  if (title) query.title = title; // asks for entries whose title is close, too
  const { data } = await request("GET", "/api/lookup", { query });
  const raw = [data.locations, data.places, data.matches].find(Array.isArray) || (data.list ? [data] : []);
  const places = raw
    .filter((p) => p && p.list)
    .map((p) => ({ list: p.list, section: p.section || "", line: p.line || 0, entry: p.entry || "" }));
  const possible = (Array.isArray(data.possible) ? data.possible : [])
    .filter((p) => p && p.list)
    .map((p) => ({ list: p.list, section: p.section || "", line: p.line || 0, title: p.title || "" }));
  return { places, possible, candidate: data.candidate || null, queued: data.queued || null };
}

/**
 * POST /api/papers -> {status: "added"|"exists"|"queued", list, section, line, entry, left_out?}.
 * `also`: add it even when another list has it (never twice to one list).
 */
export async function savePaper(paper, list, section, also = false) {
  const body = { ...paper, list, section, ...(also ? { also: true } : {}) };
  const { status, data } = await request("POST", "/api/papers", { body });
  const kind = data.status || (status === 201 ? "added" : status === 202 ? "queued" : "exists");
  return { ...data, status: kind, httpStatus: status };
}

/** Ping, then one authenticated call: says exactly which part of the connection fails. */
export async function checkConnection(settings) {
  const info = await ping(settings);
  const lists = await getLists(settings);
  return { version: info.version, api: info.api, lists: lists.length };
}
