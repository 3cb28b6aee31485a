/* Options: server URL, pairing token (chrome.storage.local `serverUrl`, `token`), a connection test. */

import { DEFAULT_SERVER_URL, getSettings, saveSettings } from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

function say(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

async function load() {
  const { serverUrl, token } = await getSettings();
  $("serverUrl").value = serverUrl || DEFAULT_SERVER_URL;
  $("token").value = token;
}

$("settings").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const saved = await saveSettings({ serverUrl: $("serverUrl").value, token: $("token").value });
    $("serverUrl").value = saved.serverUrl;
    say("saved", saved.token ? "Saved." : "Saved, but without a token the server will refuse every clip.");
  } catch (err) {
    say("error", err.message);
  }
});

$("test").addEventListener("click", async () => {
  say("testing", "Testing…");
  const reply = await chrome.runtime.sendMessage({
    type: "papershelf:test-connection",
    serverUrl: $("serverUrl").value || DEFAULT_SERVER_URL,
    token: $("token").value,
  });
  if (reply && reply.ok) {
    const d = reply.data;
    say("connected", `Connected: papershelf ${d.version} (API ${d.api}), token accepted, ${d.lists} list(s).`);
  } else {
    const err = reply ? reply.error : { kind: "internal", message: "no answer from the service worker" };
    const prefix = { offline: "", unpaired: "", incompatible: "", api: "Server error: " }[err.kind] ?? "Error: ";
    say(err.kind === "unpaired" ? "unpaired" : err.kind === "offline" ? "offline" : "error", prefix + err.message);
  }
});

load();
