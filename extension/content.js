/*
 * Content script on arXiv abs/html/pdf pages: tells the service worker which paper this page is,
 * so the toolbar badge can say "already listed" before any click. Extraction is lib/extract.js.
 */
(function () {
  "use strict";
  const paper = globalThis.PapershelfExtract.extractPaper(document, location.href);
  try {
    chrome.runtime.sendMessage({ type: "papershelf:page", paper }).catch(() => {});
  } catch (_err) {
    // the extension was reloaded: this page keeps an orphaned script
  }
})();
