/*
 * papershelf: the field parsers of metadata extraction (lib/extract.js reads the pages).
 *
 * Strings and elements in, normalised values out: whitespace, <meta> lookup, dates, people's
 * names, code links, venue names. Nothing here knows what kind of page it is reading.
 *
 * A plain script with no import/export, like lib/extract.js, and loaded just before it everywhere
 * (content script, scripting.executeScript, service worker, popup, tests). It defines one global,
 * `PapershelfExtractFields`, for lib/extract.js only (the public API stays `PapershelfExtract`),
 * and touches nothing else: no network, no storage.
 */
(function (root) {
  "use strict";

  const MONTHS = {
    jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6,
    jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  };
  const CODE_HOST = /^(?:www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|huggingface\.co|sourceforge\.net)$/i;
  const VENUE = /\b(ICLR|NeurIPS|NIPS|ICML|ACL|EMNLP|NAACL|EACL|AACL|COLING|CoNLL|COLM|CVPR|ICCV|ECCV|WACV|BMVC|AAAI|IJCAI|KDD|WWW|SIGIR|WSDM|CIKM|RecSys|TACL|TMLR|JMLR|UAI|AISTATS|CoRL|RSS|ICRA|IROS|INTERSPEECH|ICASSP|MICCAI|LREC|CHI|UIST|SIGGRAPH|MLSys|OSDI|SOSP|NSDI|USENIX Security|CCS|ICSE|FSE|PLDI|POPL|STOC|FOCS|SODA)(?:\s*|'|’)((?:19|20)\d{2}|\d{2})\b/;
  // Proceedings' full names (PMLR, NeurIPS proceedings, ACL Anthology) -> the short name lists use.
  const VENUE_NAMES = [
    [/\bneural information processing systems\b/i, "NeurIPS"],
    [/\binternational conference on machine learning\b(?!\s+and\b)/i, "ICML"],
    [/\binternational conference on learning representations\b/i, "ICLR"],
    [/\bartificial intelligence and statistics\b/i, "AISTATS"],
    [/\buncertainty in artificial intelligence\b/i, "UAI"],
    [/\bconference on learning theory\b/i, "COLT"],
    [/\bconference on robot learning\b/i, "CoRL"],
    [/\bempirical methods in natural language processing\b/i, "EMNLP"],
    [/\bnorth american chapter of the association for computational linguistics\b/i, "NAACL"],
    [/\bannual meeting of the association for computational linguistics\b/i, "ACL"],
    [/\bcomputer vision and pattern recognition\b/i, "CVPR"],
  ];

  /* ---------- small text helpers ---------- */

  function clean(text) {
    return (text || "").replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+/g, " ").trim();
  }

  function meta(doc, names) {
    const out = [];
    const wanted = names.map((n) => n.toLowerCase());
    for (const el of doc.querySelectorAll("meta[name], meta[property]")) {
      const key = (el.getAttribute("name") || el.getAttribute("property") || "").toLowerCase();
      if (wanted.includes(key)) {
        const value = clean(el.getAttribute("content"));
        if (value) out.push({ key, value });
      }
    }
    // Keep the order of `names` (preference), then document order.
    out.sort((a, b) => wanted.indexOf(a.key) - wanted.indexOf(b.key));
    return out.map((m) => m.value);
  }

  function firstMeta(doc, names) {
    return meta(doc, names)[0] || "";
  }

  /** Text of an element without the parts a reader does not see as content. */
  function textWithout(el, dropSelector) {
    if (!el) return "";
    const copy = el.cloneNode(true);
    for (const junk of copy.querySelectorAll(dropSelector)) junk.remove();
    return clean(copy.textContent);
  }

  function absolute(href, base) {
    try {
      return new URL(href, base).href;
    } catch (_err) {
      return "";
    }
  }

  /* ---------- dates ---------- */

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function validDate(y, m, d) {
    if (!(y >= 1900 && y <= 2999 && m >= 1 && m <= 12)) return "";
    if (d === undefined || d === null) return `${y}-${pad(m)}`;
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return "";
    return `${y}-${pad(m)}-${pad(d)}`;
  }

  /** "2021/06/17", "2021-06-17T…", "2021/06", "17 Jun 2021", "June 17, 2021" -> ISO, else "". */
  function isoDate(text) {
    const t = clean(text);
    if (!t) return "";
    let m = t.match(/^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:$|[T\s])/);
    if (m) return validDate(+m[1], +m[2], m[3] === undefined ? null : +m[3]);
    m = t.match(/(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})/);
    if (m && MONTHS[m[2].toLowerCase()]) return validDate(+m[3], MONTHS[m[2].toLowerCase()], +m[1]);
    m = t.match(/([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})/);
    if (m && MONTHS[m[1].toLowerCase()]) return validDate(+m[3], MONTHS[m[1].toLowerCase()], +m[2]);
    m = t.match(/^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$/);
    if (m && MONTHS[m[1].toLowerCase()]) return validDate(+m[2], MONTHS[m[1].toLowerCase()], null);
    return "";
  }

  /* ---------- people ---------- */

  /** "Ammanabrolu, Prithviraj" -> "Prithviraj Ammanabrolu"; other forms are kept. */
  function displayName(name) {
    const n = clean(name);
    const m = n.match(/^([^,]+),\s*([^,]+)$/);
    if (m && !/\b(jr|sr|ii|iii|iv)\.?$/i.test(m[2])) return `${m[2]} ${m[1]}`;
    return n;
  }

  function uniq(items) {
    const seen = new Set();
    const out = [];
    for (const item of items) {
      const key = item.toLowerCase();
      if (item && !seen.has(key)) {
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  }

  function looksLikeName(text) {
    if (!text || text.length > 80 || /[@{}<>|=:;\\]|https?:/.test(text)) return false;
    if (!/\p{L}/u.test(text)) return false;
    const words = text.split(" ");
    if (words.length > 6) return false;
    return !/\b(university|institute|universit[éeà]|department|laborator|school|college|inc\.?|ltd|corporation|research|lab|labs|language|academy|center|centre|google|microsoft|meta|deepmind|openai|equal contribution|correspond)\b/i.test(text);
  }

  /* ---------- code links ---------- */

  function codeUrlFrom(href) {
    let u;
    try {
      u = new URL(href);
    } catch (_err) {
      return "";
    }
    if (!/^https?:$/.test(u.protocol) || !CODE_HOST.test(u.hostname)) return "";
    const host = u.hostname.replace(/^www\./i, "").toLowerCase();
    const segs = u.pathname.split("/").filter(Boolean);
    if (host === "huggingface.co") {
      // huggingface.co/spaces/owner/name or huggingface.co/owner/model
      if (segs[0] === "spaces" || segs[0] === "datasets") segs.splice(3);
      else segs.splice(2);
      if (segs.length < 2) return "";
    } else {
      if (segs.length < 2) return "";
      segs.splice(2);
    }
    segs[segs.length - 1] = segs[segs.length - 1].replace(/\.git$/i, "").replace(/[.,;:)\]]+$/, "");
    return `https://${host}/${segs.join("/")}`;
  }

  function codeUrlIn(elements, base) {
    for (const el of elements) {
      if (!el) continue;
      for (const a of el.querySelectorAll("a[href]")) {
        const found = codeUrlFrom(absolute(a.getAttribute("href"), base));
        if (found) return found;
      }
      const text = el.textContent || "";
      for (const m of text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
        const found = codeUrlFrom(m[0]);
        if (found) return found;
      }
    }
    return "";
  }

  function codeUrlInText(texts) {
    for (const text of texts) {
      for (const m of (text || "").matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
        const found = codeUrlFrom(m[0]);
        if (found) return found;
      }
    }
    return "";
  }

  function venueFrom(texts) {
    for (const text of texts) {
      const m = clean(text).match(VENUE);
      if (m) {
        const name = m[1] === "NIPS" && +m[2] >= 2018 ? "NeurIPS" : m[1];
        const year = m[2].length === 2 ? `20${m[2]}` : m[2];
        return `${name} ${year}`;
      }
    }
    return "";
  }

  /**
   * A generic page's venue: "ICLR 2025" when the name says it; a proceedings' full name with the
   * year of `dateText` ("Advances in Neural Information Processing Systems", "2020" ->
   * "NeurIPS 2020"); else the name as the page gives it.
   */
  function genericVenue(name, dateText) {
    const short = venueFrom([name]);
    if (short || !name) return short;
    const year = (clean(name).match(/\b(?:19|20)\d{2}\b/) || clean(dateText).match(/\b(?:19|20)\d{2}\b/) || [""])[0];
    for (const [pattern, abbr] of VENUE_NAMES) {
      if (pattern.test(name)) return year ? `${abbr} ${year}` : abbr;
    }
    return name;
  }

  root.PapershelfExtractFields = Object.freeze({
    clean,
    meta,
    firstMeta,
    textWithout,
    absolute,
    isoDate,
    displayName,
    uniq,
    looksLikeName,
    codeUrlFrom,
    codeUrlIn,
    codeUrlInText,
    venueFrom,
    genericVenue,
  });
})(globalThis);
