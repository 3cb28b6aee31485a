"""The JSON API via Flask's test client (`read_only` over real HTTP): lists, lookup, papers, status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fs_support import unwritable
from server_support import AUTH, LIST_TEXT, TOKEN, serving

from papershelf.server.app import create_app
from papershelf.sync.listmodel import parse_list


@pytest.fixture
def workspace_root(workspace_root: Path) -> Path:
    root = workspace_root
    (root / "sub").mkdir()
    (root / "sub" / "other.md").write_text(
        "# Other\n\n## Misc\n\n- [Old Paper](https://arxiv.org/abs/1501.00001), Jan. 1 2015.\n",
        encoding="utf-8",
    )
    return root


def clip(client, **body):
    return client.post("/api/papers", json=body, headers=AUTH)


def test_lists_gives_every_list_with_sections_and_counts(client) -> None:
    response = client.get("/api/lists", headers=AUTH)
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True
    by_path = {item["path"]: item for item in body["lists"]}
    assert sorted(by_path) == ["reading.md", "sub/other.md"]
    reading = by_path["reading.md"]
    assert reading["title"] == "Reading list"
    assert reading["read_only"] is False and by_path["sub/other.md"]["read_only"] is False
    sections = {s["path"]: s for s in reading["sections"]}
    assert sections["Reading list > Tools"] == {
        "path": "Reading list > Tools",
        "label": "Tools",  # what people read: the path below the list's title
        "title": "Tools",
        "level": 2,
        "entries": 1,
    }
    assert sections["Reading list > Methods > Surveys"]["entries"] == 1
    assert sections["Reading list > Methods > Surveys"]["label"] == "Methods > Surveys"
    assert sections["Reading list > Methods"]["entries"] == 0


def test_lists_sees_a_new_list_file(client, workspace_root: Path) -> None:
    (workspace_root / "new.md").write_text("# New\n\n## Empty\n", encoding="utf-8")
    paths = [item["path"] for item in client.get("/api/lists", headers=AUTH).get_json()["lists"]]
    assert "new.md" in paths


def test_clip_with_metadata_is_added_201_then_exists_200(client, workspace_root: Path) -> None:
    response = clip(
        client,
        url="https://arxiv.org/abs/2611.04417v2",
        title="Shelving Papers by Hand",
        authors=["Maren Oyelaran"],
        published="2026-11-03",
        list="reading.md",
        section="Tools",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["ok"] is True and body["status"] == "added"
    assert body["list"] == "reading.md" and body["section"] == "Reading list > Tools"
    text = (workspace_root / "reading.md").read_text(encoding="utf-8")
    assert text.splitlines()[body["line"] - 1] == body["entry"]
    assert "[Shelving Papers by Hand](https://arxiv.org/abs/2611.04417" in body["entry"]
    # Another version or form of the same paper, into another list: already there.
    again = clip(client, arxiv_id="2611.04417v1", list="sub/other.md", section="Misc")
    assert again.status_code == 200
    assert again.get_json()["status"] == "exists"
    assert again.get_json()["line"] == body["line"]
    assert text.count("2611.04417") == 1


def test_clip_of_a_paper_already_listed_needs_no_arxiv(client) -> None:
    response = clip(
        client, url="https://arxiv.org/pdf/2002.00002", list="reading.md", section="Tools"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "exists" and body["section"] == "Reading list > Methods > Surveys"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "No id", "list": "reading.md", "section": "Tools"}, 400, "url"),
        (
            {"arxiv_id": "not-an-id", "title": "x", "list": "reading.md", "section": "Tools"},
            400,
            "arxiv_id",
        ),
        ({"arxiv_id": "2611.04417", "title": "x", "section": "Tools"}, 400, "list"),
        ({"arxiv_id": "2611.04417", "title": "x", "list": "reading.md"}, 400, "section"),
        (
            {
                "arxiv_id": "2611.04417",
                "title": "x",
                "list": "reading.md",
                "section": "Tools",
                "extra": 1,
            },
            400,
            "extra",
        ),
        (
            {
                "arxiv_id": "2611.04417",
                "title": "x",
                "list": "reading.md",
                "section": "Tools",
                "published": "2026/11/03",
            },
            400,
            "published",
        ),
        (
            {
                "arxiv_id": "2611.04417",
                "title": "x",
                "list": "reading.md",
                "section": "Tools",
                "published": "2026-02-30",
            },
            400,
            "published",
        ),
        (
            {
                "arxiv_id": "2611.04417",
                "title": "x",
                "list": "reading.md",
                "section": "Tools",
                "authors": "one",
            },
            400,
            "authors",
        ),
        (
            {
                "arxiv_id": "2611.04417",
                "title": "x",
                "list": "reading.md",
                "section": "Tools",
                "links": [{"label": "a"}],
            },
            400,
            "links.0.url",
        ),
        (
            {"arxiv_id": "2611.04417", "title": "x", "list": "nope.md", "section": "Tools"},
            404,
            "list",
        ),
        (
            {"arxiv_id": "2611.04417", "title": "x", "list": "reading.md", "section": "Toolz"},
            404,
            "section",
        ),
        (
            {"arxiv_id": "2611.04417", "title": "x", "list": "../outside.md", "section": "Tools"},
            404,
            "list",
        ),
        (
            {"arxiv_id": "2611.04417", "title": "x", "list": "reading.md\x00", "section": "Tools"},
            404,
            "list",
        ),
    ],
)
def test_bad_clips_get_the_error_shape_and_change_nothing(
    client, workspace_root: Path, body: dict, status: int, field: str
) -> None:
    before = (workspace_root / "reading.md").read_bytes()
    response = clip(client, **body)
    assert response.status_code == status, response.get_json()
    answer = response.get_json()
    assert answer["ok"] is False and answer["error"]
    assert any(key == field or key.startswith(field) for key in answer["fields"]), answer
    assert (workspace_root / "reading.md").read_bytes() == before


def test_a_clip_to_a_read_only_list_is_409_and_writes_nothing(client, workspace_root: Path) -> None:
    listing = workspace_root / "reading.md"
    listing.chmod(0o444)
    before = listing.read_bytes()
    response = clip(client, arxiv_id="2611.04417", title="x", list="reading.md", section="Tools")
    assert response.status_code == 409
    answer = response.get_json()
    assert answer["ok"] is False and answer["error"].startswith("reading.md is read-only")
    assert listing.read_bytes() == before


CLIPS = {
    "reading.md": {"arxiv_id": "2611.04417", "title": "x", "section": "Tools"},
    "sub/other.md": {"arxiv_id": "2611.04418", "title": "y", "section": "Misc"},
}


def _read_only_and_refused(workspace_root: Path) -> dict[str, tuple[bool, bool]]:
    """Over real HTTP: per list, whether `/api/lists` marks it read-only and a clip is a 409."""
    with serving(workspace_root) as server:
        listed = server.request("GET", "/api/lists").json()["lists"]
        marked = {item["path"]: item["read_only"] for item in listed}
        refused = {
            path: server.request("POST", "/api/papers", json={**body, "list": path}).status_code
            == 409
            for path, body in CLIPS.items()
        }
    return {path: (marked[path], refused[path]) for path in sorted(marked)}


def test_lists_marks_a_read_only_file_read_only_as_a_clip_finds_it(workspace_root: Path) -> None:
    (workspace_root / "reading.md").chmod(0o444)
    before = (workspace_root / "reading.md").read_bytes()
    assert _read_only_and_refused(workspace_root) == {
        "reading.md": (True, True),
        "sub/other.md": (False, False),
    }
    assert (workspace_root / "reading.md").read_bytes() == before


@pytest.fixture
def unwritable_sub(workspace_root: Path) -> Iterator[Path]:
    """The `sub` folder made unwritable (chattr +i for root, or the test skips)."""
    with unwritable(workspace_root / "sub") as sub:
        yield sub


def test_lists_marks_a_list_in_an_unwritable_folder_read_only(
    workspace_root: Path, unwritable_sub: Path
) -> None:
    before = (unwritable_sub / "other.md").read_bytes()
    assert _read_only_and_refused(workspace_root) == {
        "reading.md": (False, False),
        "sub/other.md": (True, True),
    }
    assert (unwritable_sub / "other.md").read_bytes() == before


def test_unknown_section_names_the_closest(client) -> None:
    answer = clip(
        client, arxiv_id="2611.04417", title="x", list="reading.md", section="Survey"
    ).get_json()
    assert answer["error"].startswith("No section 'Survey' in reading.md. Closest: ")
    assert "Reading list > Methods > Surveys" in answer["error"]
    assert "Reading list > Methods > Surveys" in answer["fields"]["closest"]
    assert answer["fields"]["section"] == "Survey"
    # Without a title the section is checked before arXiv is asked: the same answer.
    untitled = clip(client, arxiv_id="2611.09999", list="reading.md", section="Survey")
    assert untitled.status_code == 404
    assert untitled.get_json()["error"] == answer["error"]


def test_a_lone_surrogate_in_a_clip_is_400_and_changes_nothing(
    client, workspace_root: Path
) -> None:
    before = (workspace_root / "reading.md").read_bytes()
    data = (
        b'{"arxiv_id": "2611.04417", "title": "x\\ud800", "list": "reading.md", "section": "Tools"}'
    )
    response = client.post(
        "/api/papers", data=data, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["fields"] == {"title": "Not valid Unicode text."}
    assert (workspace_root / "reading.md").read_bytes() == before


@pytest.mark.parametrize("data", [b"[1, 2]", b'"text"', b"{not json", b"null", b""])
def test_body_that_is_not_a_json_object_is_400(client, data: bytes) -> None:
    response = client.post(
        "/api/papers", data=data, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["ok"] is False


def test_lookup_by_url_and_id_finds_the_entry(client) -> None:
    for query in (
        "url=https://arxiv.org/pdf/2001.00001v3",
        "id=2001.00001",
        "id=arXiv:2001.00001v1",
    ):
        body = client.get(f"/api/lookup?{query}", headers=AUTH).get_json()
        assert body["ok"] is True and body["listed"] is True, query
        assert body["identity"] == "arxiv:2001.00001"
        assert body["locations"] == [
            {
                "list": "reading.md",
                "section": "Reading list > Tools",
                "line": 7,
                "entry": "- [Version Control for Everyone](https://arxiv.org/abs/2001.00001), Jan. 2 2020.",
            }
        ]
        assert body["candidate"] is None and body["queued"] is None


def test_lookup_of_an_unlisted_paper_gives_possible_title_matches(client) -> None:
    body = client.get(
        "/api/lookup?url=https://openreview.net/forum?id=AbCdEf123&title=A%20survey%20of%20surveys!",
        headers=AUTH,
    ).get_json()
    assert body["listed"] is False and body["locations"] == []
    assert body["identity"] == "openreview:AbCdEf123"
    assert [(p["list"], p["line"]) for p in body["possible"]] == [("reading.md", 13)]
    assert body["possible"][0]["title"] == "A Survey of Surveys"
    assert 0.85 <= body["possible"][0]["score"] <= 1


@pytest.mark.parametrize(
    "query", ["", "url=a&id=b", "title=only", "id=2001.00001&bogus=1", "url=" + "x" * 2001]
)
def test_lookup_needs_exactly_one_of_url_or_id(client, query: str) -> None:
    response = client.get(f"/api/lookup?{query}", headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["ok"] is False


def test_status_reports_parts_and_queue(client) -> None:
    body = client.get("/api/status", headers=AUTH).get_json()
    assert body["ok"] is True
    assert body["sync"]["state"] == "off" and body["feeds"]["state"] == "off"
    assert body["clips"]["queued"] == 0 and body["clips"]["items"] == []
    assert body["lists"] == 2


def test_default_app_uses_the_default_workspace_with_its_sample_list() -> None:
    app = create_app({"PAPERSHELF_TOKEN": TOKEN})
    lists = app.test_client().get("/api/lists", headers=AUTH).get_json()["lists"]
    assert [item["path"] for item in lists] == ["papers.md"]


def test_lists_text_is_untouched_by_reads(client, workspace_root: Path) -> None:
    before = (workspace_root / "reading.md").read_bytes()
    client.get("/api/lists", headers=AUTH)
    client.get("/api/lookup?id=2001.00001", headers=AUTH)
    assert (workspace_root / "reading.md").read_bytes() == before == LIST_TEXT.encode()
    assert parse_list(before).render() == before
