/*
 * The ONE module that talks to the local papershelf server (zotero-connectors' rule).
 * Every request has a timeout; every failure is typed:
 *   OfflineError      nothing answers (connection refused, timeout, not papershelf),
 *   NotPairedError    no token stored, or the server refused it (401),
 *   IncompatibleError papershelf answers, but speaks another API version than this extension,
 *   ApiError          the server answered with its error shape {ok: false, error, fields}
 *                     (a refused Host or Origin, 403, included).
 * Every route but GET /api/ping sends X-Papershelf-Token. The shapes read here are those of
 * docs/http-api.md, and only those.
 */

import { getSettings } from "./settings.js";

export const TIMEOUT_MS = 8000;
/** The version of the HTTP API this extension speaks (`api` in GET /api/ping). */
export const API_VERSION = 1;

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

export class IncompatibleError extends PapershelfError {
  constructor(message, extra) {
    super("incompatible", message, extra);
    this.name = "IncompatibleError";
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
  if (!response.ok) {
    // Every papershelf failure is {ok: false, error: "one sentence", fields: {...}}.
    if (data.ok !== false || typeof data.error !== "string") {
      throw new OfflineError(`Something answers at ${serverUrl}, but it is not papershelf (HTTP ${response.status}).`, {
        status: response.status,
      });
    }
    const extra = { status: response.status, fields: data.fields && typeof data.fields === "object" ? data.fields : {} };
    if (response.status === 401) {
      throw new NotPairedError(`Not paired: the server refused the token (${data.error}).`, extra);
    }
    throw new ApiError(data.error, extra);
  }
  return { status: response.status, data };
}

/**
 * GET /api/ping: {ok, app, version, api}; OfflineError when it is not papershelf,
 * IncompatibleError when it speaks another API version than API_VERSION.
 */
export async function ping(settings) {
  const { data } = await request("GET", "/api/ping", { auth: false, settings, timeoutMs: 3000 });
  if (data.app !== "papershelf") {
    throw new OfflineError("Something answers there, but it is not papershelf.");
  }
  if (data.api !== API_VERSION) {
    const newer = typeof data.api === "number" && data.api > API_VERSION;
    throw new IncompatibleError(
      `papershelf ${data.version} speaks API ${data.api}; this extension speaks API ${API_VERSION}: ` +
        (newer ? "update the extension." : "update papershelf (pip install -U papershelf).")
    );
  }
  return data;
}

/** GET /api/lists {ok, lists} -> [{path, title, readOnly, sections: [{path, label, title, level, entries}]}]. */
export async function getLists(settings) {
  const { data } = await request("GET", "/api/lists", { settings });
  return (data.lists || []).map((list) => ({
    path: list.path,
    title: list.title,
    // The server will not write it (no write bit, or a folder it cannot write): a clip is a 409.
    readOnly: list.read_only,
    sections: list.sections.map((s) => ({
      path: s.path,
      // The path below the list's title ("Scaling > Other"): what people read (lib/places.js).
      label: s.label,
      title: s.title,
      level: s.level,
      entries: s.entries,
    })),
  }));
}

/** GET /api/suggest -> [{list, section, score, why, similar}], best first (a bare array). */
export async function suggest(title, abstract) {
  const { data } = await request("GET", "/api/suggest", {
    query: { title, abstract: (abstract || "").slice(0, 3000) },
  });
  return Array.isArray(data) ? data : [];
}

/**
 * GET /api/lookup?url= (or ?id=) {ok, identity, listed, locations, candidate, queued, possible}
 * -> {places: [{list, section, line, entry}], possible: [{list, section, line, title}], candidate, queued}.
 */
export async function lookup({ url, id, title }) {
  const query = url ? { url } : { id };
  if (title) query.title = title; // asks for entries whose title is close, too
  const { data } = await request("GET", "/api/lookup", { query });
  const places = (data.locations || []).map((p) => ({ list: p.list, section: p.section, line: p.line, entry: p.entry }));
  const possible = (data.possible || []).map((p) => ({ list: p.list, section: p.section, line: p.line, title: p.title }));
  return { places, possible, candidate: data.candidate || null, queued: data.queued || null };
}

/**
 * POST /api/papers -> {status: "added"|"exists"|"queued", list, section, line, entry, left_out?}.
 * `also`: add it even when another list has it (never twice to one list).
 */
export async function savePaper(paper, list, section, also = false) {
  const body = { ...paper, list, section, ...(also ? { also: true } : {}) };
  const { status, data } = await request("POST", "/api/papers", { body });
  return { ...data, httpStatus: status };
}

/** Ping, then one authenticated call: says exactly which part of the connection fails. */
export async function checkConnection(settings) {
  const info = await ping(settings);
  const lists = await getLists(settings);
  return { version: info.version, api: info.api, lists: lists.length };
}
