/*
 * papershelf: metadata extraction, a pure function of a Document and its URL.
 *
 * This file is deliberately a plain script with no import/export so it runs unchanged
 *   - as a content script (classic script, injected on arxiv.org pages),
 *   - through chrome.scripting.executeScript({files}) on any page the user clips,
 *   - imported for its side effect by the ES-module service worker (arxivIdFromUrl),
 *   - in the Chromium unit tests, over documents made with DOMParser.
 * It reads the pages; the field parsers it uses (text, dates, names, code links, venues) are in
 * lib/extract-fields.js, a plain script too, which must be loaded just before this one.
 * Between them they define two globals, `PapershelfExtractFields` (internal) and the public
 * `PapershelfExtract`, and touch nothing else: no network, no storage.
 *
 * extractPaper(doc, url) returns Paper JSON (docs/paper-json.md): only the keys url, arxiv_id, title,
 * authors, published, venue, abstract, code_url; empty fields are left out.
 */
(function (root) {
  "use strict";

  const fields = root.PapershelfExtractFields;
  if (!fields) throw new Error("papershelf: load lib/extract-fields.js before lib/extract.js");
  const {
    clean, meta, firstMeta, textWithout, absolute, isoDate, displayName, uniq, looksLikeName,
    codeUrlFrom, codeUrlIn, codeUrlInText, venueFrom, genericVenue,
  } = fields;

  const NEW_ID = /^(\d{4}\.\d{4,5})(v\d+)?$/;
  const OLD_ID = /^([a-z][a-z-]*(?:\.[A-Za-z]{2})?\/\d{7})(v\d+)?$/;
  const ARXIV_HOST = /^(?:www\.|export\.|browse\.)?arxiv\.org$/i;
  const AR5IV_HOST = /^ar5iv(?:\.labs)?\.(?:arxiv\.)?org$/i;
  const CODE_CONTEXT = /\b(?:(?:our|the|source|all)\s+code|code\s+(?:is|and|are|will|can|for|to)|codes?\s*(?::|at)|implementation|available\s+at|released?\s+at|open[- ]sourced?|reproduc)/i;
  const ALLOWED_KEYS = [
    "url", "arxiv_id", "title", "authors", "published", "venue", "abstract", "code_url",
  ];

  /* ---------- arXiv identifiers ---------- */

  /**
   * The arXiv id in an arxiv.org (or ar5iv) URL and what kind of page it is.
   * Returns {id, version, kind: "abs"|"pdf"|"html"|"other"} or null.
   */
  function arxivIdFromUrl(url) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch (_err) {
      return null;
    }
    const host = parsed.hostname;
    if (!ARXIV_HOST.test(host) && !AR5IV_HOST.test(host)) return null;
    const match = parsed.pathname.match(/^\/(abs|pdf|html|format|ps|src)\/(.+?)\/?$/);
    if (!match) return null;
    let rest = decodeURIComponent(match[2]).replace(/\.pdf$/i, "");
    let kind = match[1] === "abs" || match[1] === "pdf" || match[1] === "html" ? match[1] : "other";
    if (AR5IV_HOST.test(host)) kind = "html";
    // /html/<id>/<file> (ar5iv assets) and /html/<id>v2#S3: keep the id part only.
    const parts = rest.split("/");
    const tryIds = [parts.slice(0, 2).join("/"), parts[0]];
    for (const candidate of tryIds) {
      const m = candidate.match(NEW_ID) || candidate.match(OLD_ID);
      if (m) return possibleId(m[1], m[2] || "") ? { id: m[1], version: m[2] || "", kind } : null;
    }
    return null;
  }

  /** The server's rule (sync.identity): month 01-12; 4-digit numbers to 1412, 5 from 1501; no v0. */
  function possibleId(id, version) {
    if (version === "v0") return false;
    const modern = id.match(/^(\d{2})(\d{2})\.(\d+)$/); // YYMM.NNNN, or YYMM.NNNNN from 1501
    const month = Number(modern ? modern[2] : id.match(/\/\d{2}(\d{2})\d{3}$/)[1]); // archive/YYMMNNN
    if (month < 1 || month > 12) return false;
    return !modern || (modern[3].length === 5) === (Number(modern[1] + modern[2]) >= 1501);
  }

  /** The abs URL without version: lists link the paper, which is every version (arxiv_id keeps it). */
  function absUrl(id) {
    return `https://arxiv.org/abs/${id}`;
  }

  function parseIdText(text) {
    const m = clean(text).match(/(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?\/\d{7})(v\d+)?/);
    return m ? { id: m[1], version: m[2] || "" } : null;
  }

  /* ---------- arXiv dates and LaTeXML names ---------- */

  /** The date of the first version in an abs page's submission history ("[v1] Thu, 17 Jun 2021 …"). */
  function firstVersionDate(doc) {
    const history = doc.querySelector(".submission-history");
    if (history) {
      const text = clean(history.textContent);
      const first = text.match(/\[v1\]\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2}\s+[A-Za-z]{3}\s+\d{4})/);
      const any = text.match(/\[v\d+\]\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2}\s+[A-Za-z]{3}\s+\d{4})/);
      const found = isoDate((first || any || [])[1] || "");
      if (found) return found;
    }
    const dateline = doc.querySelector(".dateline");
    if (dateline) {
      const m = clean(dateline.textContent).match(/Submitted on\s+(\d{1,2}\s+[A-Za-z]{3}\w*\s+\d{4})/i);
      const found = m ? isoDate(m[1]) : "";
      if (found) return found;
    }
    // citation_date is the first version's date on arXiv (citation_online_date the latest).
    return isoDate(firstMeta(doc, ["citation_date", "citation_online_date"]));
  }

  /** Names in one LaTeXML ltx_personname: the text before the first line break, split. */
  function latexmlNames(personname) {
    const copy = personname.cloneNode(true);
    for (const junk of copy.querySelectorAll(
      "sup, .ltx_note, .ltx_contact, .ltx_role_email, .ltx_role_affiliation, .ltx_role_address, .ltx_font_typewriter, a[href^='mailto:']"
    )) {
      junk.remove();
    }
    // Walk in document order up to the first <br>: what follows is affiliation and e-mail.
    let firstLine = "";
    const walker = copy.ownerDocument.createTreeWalker(copy, 5 /* SHOW_ELEMENT|SHOW_TEXT */);
    let node = walker.nextNode();
    while (node) {
      if (node.nodeType === 1 && node.tagName === "BR") break;
      if (node.nodeType === 3) firstLine += node.nodeValue;
      node = walker.nextNode();
    }
    return firstLine
      .replace(/[*†‡§¶∗⋆♠♣♢♡♯♮]|\d+/g, " ")
      .split(/\s*(?:[\u2002\u2003\u2009]|\s{2,}|,|;|&|\band\b)\s*/)
      .map(clean)
      .filter(looksLikeName);
  }

  /* ---------- the page kinds ---------- */

  function fromAbsPage(doc, url, ids) {
    const titleEl = doc.querySelector("h1.title");
    const title =
      textWithout(titleEl, ".descriptor") ||
      firstMeta(doc, ["citation_title", "og:title"]) ||
      clean(doc.title).replace(/^\[[^\]]+\]\s*/, "");
    const authorLinks = [...doc.querySelectorAll("div.authors a")].map((a) => clean(a.textContent));
    const authors = authorLinks.length
      ? authorLinks
      : meta(doc, ["citation_author"]).map(displayName);
    const abstractEl = doc.querySelector("blockquote.abstract");
    const abstract =
      textWithout(abstractEl, ".descriptor") ||
      firstMeta(doc, ["citation_abstract", "og:description", "description"]);
    const comments = doc.querySelector("td.comments");
    const journal = doc.querySelector("td.jref");
    // The version shown: from the URL, else og:url / "for this version" link.
    let version = ids.version;
    if (!version) {
      const shown =
        parseIdText(firstMeta(doc, ["og:url"])) ||
        parseIdText((doc.querySelector("td.arxividv a") || {}).textContent || "");
      if (shown && shown.id === ids.id) version = shown.version;
    }
    return {
      url: absUrl(ids.id),
      arxiv_id: ids.id + version,
      title,
      authors,
      published: firstVersionDate(doc),
      venue: venueFrom([journal ? journal.textContent : "", comments ? comments.textContent : ""]),
      abstract,
      code_url:
        codeUrlIn([abstractEl, comments], url) ||
        codeUrlInText([firstMeta(doc, ["citation_abstract"])]),
    };
  }

  function fromHtmlPage(doc, url, ids) {
    let version = ids.version;
    const watermark = doc.querySelector("#watermark-tr, .ltx_watermark");
    const marked = watermark ? parseIdText(watermark.textContent) : null;
    if (!version && marked && marked.id === ids.id) version = marked.version;
    const titleEl = doc.querySelector("h1.ltx_title_document, .ltx_title_document");
    const title =
      textWithout(titleEl, ".ltx_note, sup, .ltx_tag") ||
      firstMeta(doc, ["citation_title", "og:title"]) ||
      clean(doc.title);
    let authors = [];
    const creators = doc.querySelectorAll(".ltx_authors .ltx_creator.ltx_role_author, .ltx_authors .ltx_role_author");
    for (const creator of creators) {
      const person = creator.querySelector(".ltx_personname") || creator;
      authors.push(...latexmlNames(person));
    }
    authors = uniq(authors);
    const abstractEl = doc.querySelector(".ltx_abstract");
    const abstract = abstractEl
      ? clean(
          [...abstractEl.querySelectorAll(".ltx_p")]
            .map((p) => textWithout(p, ".ltx_note"))
            .join(" ")
        ) || textWithout(abstractEl, "h6, .ltx_title_abstract, .ltx_note")
      : "";
    // Code: the abstract and the title/author block, then the first link in the text or its
    // footnotes whose sentence says it is the paper's code (not a cited library, not the bibliography).
    let bodyCode = "";
    for (const a of doc.querySelectorAll(".ltx_page_content a[href], article a[href]")) {
      if (a.closest(".ltx_bibliography, .ltx_abstract, .ltx_authors")) continue;
      const found = codeUrlFrom(absolute(a.getAttribute("href"), url));
      if (!found) continue;
      const context = a.closest(".ltx_note_content, .ltx_p, p, li") || a.parentElement;
      if (CODE_CONTEXT.test(clean(context ? context.textContent : ""))) {
        bodyCode = found;
        break;
      }
    }
    // The watermark's date is that version's date: the first version's only for v1.
    let published = "";
    if (version === "v1" && watermark) {
      const m = clean(watermark.textContent).match(/(\d{1,2}\s+[A-Za-z]{3}\w*\s+\d{4})$/);
      published = m ? isoDate(m[1]) : "";
    }
    return {
      url: absUrl(ids.id),
      arxiv_id: ids.id + version,
      title,
      authors,
      published,
      abstract,
      code_url: codeUrlIn([abstractEl, titleEl, doc.querySelector(".ltx_authors")], url) || bodyCode,
    };
  }

  function fromPdfUrl(ids) {
    return { url: absUrl(ids.id), arxiv_id: ids.id + ids.version };
  }

  /** Any page with citation_* (Highwire), Dublin Core or Open Graph tags. */
  function fromGenericPage(doc, url) {
    const canonical = doc.querySelector("link[rel='canonical'][href]");
    let pageUrl =
      firstMeta(doc, ["citation_abstract_html_url", "og:url"]) ||
      (canonical ? absolute(canonical.getAttribute("href"), url) : "") ||
      url;
    pageUrl = absolute(pageUrl, url).replace(/#.*$/, "");
    const title = firstMeta(doc, [
      "citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title",
    ]);
    const authorsHighwire = meta(doc, ["citation_author"]);
    const authorsDc = meta(doc, ["dc.creator", "dcterms.creator", "dc.contributor"]);
    const authorsOg = meta(doc, ["article:author", "author"]);
    const authorsRaw = authorsHighwire.length ? authorsHighwire : authorsDc.length ? authorsDc : authorsOg;
    // Some sites put every author in one tag, separated by ";".
    const authors = uniq(
      authorsRaw
        .flatMap((a) => (a.includes(";") ? a.split(";") : [a]))
        .map(displayName)
        .filter((a) => a && !/^https?:/.test(a))
    );
    const dateText = firstMeta(doc, [
      "citation_publication_date", "citation_date", "citation_online_date",
      "dc.date", "dc.date.issued", "dcterms.issued", "dcterms.date",
      "article:published_time", "datepublished",
    ]);
    const published = isoDate(dateText); // a year alone ("2020") is no date: left out
    const venue = firstMeta(doc, [
      "citation_conference_title", "citation_journal_title", "citation_inbook_title",
      "citation_conference", "citation_publisher", "dc.source", "dcterms.ispartof", "dc.publisher",
    ]);
    const abstract = firstMeta(doc, [
      "citation_abstract", "dc.description", "dcterms.abstract", "dcterms.description",
      "og:description", "description",
    ]);
    let arxivId = firstMeta(doc, ["citation_arxiv_id"]);
    const doi = firstMeta(doc, ["citation_doi", "dc.identifier"]);
    if (!arxivId) {
      const m = doi.match(/10\.48550\/arxiv\.(.+)$/i);
      if (m) arxivId = m[1];
    }
    const title2 = title || clean(doc.title);
    return {
      url: pageUrl,
      arxiv_id: arxivId,
      title: title2,
      authors,
      published,
      venue: genericVenue(venue, dateText),
      abstract,
      code_url: codeUrlInText([abstract]),
    };
  }

  function finish(raw) {
    const out = {};
    for (const key of ALLOWED_KEYS) {
      const value = raw[key];
      if (Array.isArray(value)) {
        const items = uniq(value.map(clean).filter(Boolean));
        if (items.length) out[key] = items;
      } else if (typeof value === "string" && clean(value)) {
        out[key] = key === "abstract" ? clean(value) : clean(value);
      }
    }
    return out;
  }

  /** The kind of page at `url`: "abs", "html", "pdf" (arXiv) or "generic". */
  function pageKind(url) {
    const ids = arxivIdFromUrl(url);
    return ids && ids.kind !== "other" ? ids.kind : "generic";
  }

  /**
   * Paper JSON for the page `doc` shown at `url`. `doc` may be null for PDF pages.
   * Never throws on odd pages: returns at least {url}.
   */
  function extractPaper(doc, url) {
    const ids = arxivIdFromUrl(url);
    if (ids && ids.kind === "pdf") return finish(fromPdfUrl(ids));
    if (!doc) return finish(ids ? fromPdfUrl(ids) : { url });
    if (ids && ids.kind === "abs") return finish(fromAbsPage(doc, url, ids));
    if (ids && ids.kind === "html") return finish(fromHtmlPage(doc, url, ids));
    if (ids) return finish(fromPdfUrl(ids));
    return finish(fromGenericPage(doc, url));
  }

  root.PapershelfExtract = Object.freeze({
    extractPaper,
    pageKind,
    arxivIdFromUrl,
    isoDate,
    displayName,
    codeUrlFrom,
    ALLOWED_KEYS,
  });
})(globalThis);
