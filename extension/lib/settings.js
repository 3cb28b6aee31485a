/*
 * Settings in chrome.storage.local (docs/extension.md): `serverUrl` and `token`.
 * Everything the extension remembers lives in chrome.storage, never in service-worker globals.
 */

export const DEFAULT_SERVER_URL = "http://127.0.0.1:8765";

/**
 * Only the loopback server: the one host permission besides arXiv is http://127.0.0.1/*.
 * `localhost` is taken as 127.0.0.1 (papershelf binds 127.0.0.1 when asked for localhost).
 */
export function normaliseServerUrl(value) {
  const typed = String(value || "").trim() || DEFAULT_SERVER_URL;
  // "localhost:8765", "127.0.0.1:8765": the scheme left out is http.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `http://${typed}`;
  let url;
  try {
    url = new URL(text);
  } catch (_err) {
    throw new Error(`"${typed}" is not a URL (example: ${DEFAULT_SERVER_URL})`);
  }
  if (url.protocol === "http:" && url.hostname === "localhost") url.hostname = "127.0.0.1";
  const port = url.port || "8765";
  if (url.hostname === "[::1]") {
    throw new Error(`papershelf listens on 127.0.0.1, not on [::1]: use http://127.0.0.1:${port} (or http://localhost:${port})`);
  }
  if (url.protocol !== "http:" || url.hostname !== "127.0.0.1") {
    throw new Error("The server must be local: http://127.0.0.1:<port> (or http://localhost:<port>)");
  }
  // new URL drops ":80"; only a port typed as 80 means 80 (papershelf serves on 8765 by default).
  if (!url.port && !/^http:\/\/[^/]*:80(?:$|\/)/i.test(text)) {
    throw new Error(`No port in "${typed}": papershelf serves on 8765 unless started with --port, so http://127.0.0.1:8765`);
  }
  return url.origin;
}

export async function getSettings() {
  const stored = await chrome.storage.local.get(["serverUrl", "token"]);
  let serverUrl = stored.serverUrl || DEFAULT_SERVER_URL;
  try {
    serverUrl = normaliseServerUrl(serverUrl); // e.g. a localhost URL kept by an older version
  } catch (_err) {
    // keep it: the request fails and the popup says which server does not answer
  }
  return {
    serverUrl,
    token: (stored.token || "").trim(),
  };
}

export async function saveSettings({ serverUrl, token }) {
  const clean = { serverUrl: normaliseServerUrl(serverUrl), token: String(token || "").trim() };
  await chrome.storage.local.set(clean);
  return clean;
}
