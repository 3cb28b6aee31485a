"""Feeds and API answers written in the shape of arXiv's own (the real ones: ../shared/fixtures).

`arxiv_rss` writes an rss.arxiv.org feed (RSS 2.0, `arXiv:<id>v1 Announce Type: new \\nAbstract:`
descriptions, `oai:arXiv.org:` guids, `arxiv:announce_type`, comma-joined `dc:creator`);
`api_answer` writes an export.arxiv.org/api/query Atom answer of the 2026 format (`<?xml
version='1.0'?>`, `https://arxiv.org/api/…` id, unprefixed opensearch, one `<entry>` per paper).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape


def arxiv_rss(items: Sequence[tuple[str, str, str]], category: str = "cs.CL") -> bytes:
    """An arXiv RSS feed of `(arxiv id, title, abstract)` items, all announced `new`."""
    out = [
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">',
        f"  <channel>\n    <title>{category} updates on arXiv.org</title>",
        f"    <link>http://rss.arxiv.org/rss/{category}</link>",
        f"    <description>{category} updates on the arXiv.org e-print archive.</description>",
        "    <language>en-us</language>",
        "    <pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>",
    ]
    for arxiv_id, title, abstract in items:
        out.append(
            "    <item>\n"
            f"      <title>{escape(title)}</title>\n"
            f"      <link>https://arxiv.org/abs/{arxiv_id}</link>\n"
            f"      <description>arXiv:{arxiv_id}v1 Announce Type: new \n"
            f"Abstract: {escape(abstract)}</description>\n"
            f'      <guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v1</guid>\n'
            f"      <category>{category}</category>\n"
            "      <pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>\n"
            "      <arxiv:announce_type>new</arxiv:announce_type>\n"
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
            "      <dc:creator>Ada Example, Grace Sample</dc:creator>\n"
            "    </item>"
        )
    out.append("  </channel>\n</rss>\n")
    return "\n".join(out).encode("utf-8")


def api_answer(papers: Sequence[tuple[str, str, str]]) -> bytes:
    """An arXiv API answer (2026 format) holding `(arxiv id, title, abstract)` entries."""
    entries = "".join(
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{arxiv_id}v1</id>\n"
        f"    <title>{escape(title)}</title>\n"
        "    <updated>2026-04-27T17:59:59Z</updated>\n"
        f'    <link href="https://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>\n'
        f'    <link href="https://arxiv.org/pdf/{arxiv_id}v1" rel="related"'
        ' type="application/pdf" title="pdf"/>\n'
        f"    <summary>{escape(abstract)}</summary>\n"
        '    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>\n'
        "    <published>2026-04-27T17:59:59Z</published>\n"
        '    <arxiv:primary_category term="cs.CL"/>\n'
        "    <author>\n      <name>Ada Example</name>\n    </author>\n"
        "  </entry>\n"
        for arxiv_id, title, abstract in papers
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
        ' xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/cGFwZXJzaGVsZlRlc3Q</id>\n"
        "  <title>arXiv Query: search_query=&amp;id_list=&amp;start=0&amp;max_results=100</title>\n"
        "  <updated>2026-04-27T18:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{len(papers)}</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n" + entries + "</feed>\n"
    ).encode("utf-8")
