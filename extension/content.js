/*
 * Content script on arXiv abs/html/pdf pages: tells the service worker which paper this page is,
 * so the toolbar badge can say "already listed" before any click. Extraction is lib/extract.js
 * (with lib/extract-fields.js, loaded before it).
 */
(function () {
  "use strict";
  const paper = globalThis.PapershelfExtract.extractPaper(document, location.href);
  const RETRY_MS = [500, 2000, 5000];

  function tell(attempt) {
    let sent;
    try {
      sent = chrome.runtime.sendMessage({ type: "papershelf:page", paper });
    } catch (_err) {
      return; // the extension was reloaded: this page keeps an orphaned script
    }
    // A service worker that is still starting may miss the first message: try a few times.
    Promise.resolve(sent)
      .then((reply) => {
        if ((!reply || !reply.ok) && attempt < RETRY_MS.length) {
          setTimeout(() => tell(attempt + 1), RETRY_MS[attempt]);
        }
      })
      .catch(() => {
        if (attempt < RETRY_MS.length) setTimeout(() => tell(attempt + 1), RETRY_MS[attempt]);
      });
  }

  tell(0);
})();
