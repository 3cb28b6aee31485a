/*
 * How a place in a list is named to people: the list, and the section's path below the list's
 * title ("plaza.md › Scaling > Other"), the `label` GET /api/lists gives each section. The
 * server's answers name sections by their full address ("Awesome llm training > Scaling >
 * Other"); a last heading alone ("Other") could be any of seven.
 */

/** The label of `section` (an address) in `listPath`, from the lists the server gave. */
export function sectionLabel(lists, listPath, section) {
  const list = (lists || []).find((l) => l.path === listPath);
  const found = list && (list.sections || []).find((s) => s.path === section);
  return found && found.label ? found.label : section || "";
}

/** "plaza.md › Scaling > Other (line 286)". */
export function placeText(lists, listPath, section, line) {
  const label = sectionLabel(lists, listPath, section);
  return `${listPath}${label ? ` › ${label}` : ""}${line ? ` (line ${line})` : ""}`;
}

/** How a Paper field is named to people (as the CLI names it). */
const FIELD_NAMES = { code_url: "code link", published: "date" };

/**
 * "Tags not written: plaza.md shows no tags." for the Paper fields an add left out (the server's
 * `left_out`: given, but the list's style has no place for them); "" when none.
 */
export function leftOutNote(listPath, fields) {
  if (!Array.isArray(fields) || !fields.length) return "";
  const names = fields.map((f) => FIELD_NAMES[f] || String(f).replace(/_/g, " "));
  const text = `${names.join(", ")} not written: ${listPath} shows no ${names.join(" or ")}.`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
