"""F3, F19: file names that are not UTF-8, or hold a newline or bidi controls, break no page and
no commit message: such a list is left out of the lists, its name is shown escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitsync_support import git
from polling import wait_until
from review_harness import LIST_NAME, build_services, make_workspace
from server_support import serving
from test_review_pages import own_client, pair

from papershelf.server.app import create_app
from papershelf.sync.gitsync.messages import build_message, describe_files
from papershelf.sync.gitsync.shown import shown_path, shown_text
from papershelf.sync.workspace import open_workspace

BAD = "bad\udcff\udcfe.md"  # the bytes b"bad\xff\xfe.md", as Python names them
ODD_LIST = b"# B\n\n## S\n\n- [Q](https://arxiv.org/abs/2101.00012), Jan. 12 2021.\n"


def _odd_names(root: Path) -> None:
    (root / BAD).write_bytes(ODD_LIST)
    (root / "evil\nSigned-off-by: Mallory.md").write_bytes(ODD_LIST)
    (root / "rtl\u202eevil.md").write_bytes(ODD_LIST)


def test_the_api_answers_and_the_daemon_commits_with_names_escaped(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    (root / ".papershelf" / "config.toml").write_text(
        "[sync]\nquiet_seconds = 0.2\npush = false\n", encoding="utf-8"
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    with serving(root, "--no-feeds") as server:
        _odd_names(root)
        lists = server.request("GET", "/api/lists")
        assert lists.status_code == 200
        names = [item["path"] for item in lists.json()["lists"]]
        assert LIST_NAME in names and "rtl\u202eevil.md" in names
        assert not any(name.startswith("bad") for name in names)
        assert server.request("GET", "/api/lookup", params={"id": "2101.00012"}).status_code == 200
        assert server.request("GET", "/api/status").status_code == 200
        # All three are committed all the same (in one commit or more, as they arrive).
        wait_until(lambda: git(root, "status", "--porcelain") == "", what="the commits")
        assert server.request("GET", "/api/status").status_code == 200
    body = git(root, "log", "--format=%B")
    assert "bad\\xff\\xfe.md" in body and "evil\\nSigned-off-by: Mallory.md" in body
    assert "\u202e" not in body and "rtl\\u202eevil.md" in body
    trailers = git(root, "log", "--format=%(trailers)")
    assert "Mallory" not in trailers


def test_the_review_pages_answer(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    _odd_names(root)
    services = build_services(root)
    from review_harness import TOKEN

    client = own_client(create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN}))
    pair(client)
    assert client.get("/review").status_code == 200
    assert client.get(f"/review/lists/{LIST_NAME}").status_code == 200


def test_a_list_with_a_name_that_is_not_utf8_is_left_out(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    _odd_names(root)
    assert open_workspace(root).list_paths() == [
        "evil\nSigned-off-by: Mallory.md",
        "rtl\u202eevil.md",
    ]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("papers.md", "papers.md"),
        ("Über.md", "Über.md"),
        (BAD, "bad\\xff\\xfe.md"),
        ("a\nb.md", "a\\nb.md"),
        ("a\rb\tc.md", "a\\rb\\tc.md"),
        ("x\u202ey.md", "x\\u202ey.md"),
        ("x\u2028y.md", "x\\u2028y.md"),
    ],
)
def test_shown_path_escapes_what_would_mislead(name: str, shown: str) -> None:
    assert shown_path(name) == shown


def test_commit_messages_show_titles_as_read_and_names_escaped() -> None:
    old = b"# L\n\n## Tools &amp; more\n\n- [A](https://arxiv.org/abs/2401.00001), Jan. 1 2024.\n"
    new = (
        old
        + "- [Use &lt;details> \u202eevil](https://arxiv.org/abs/2401.00002), Jan. 2 2024.\n".encode()
    )
    message = build_message(describe_files([("l\nx.md", old, new)], lambda _p: True))
    assert message == 'Add "Use <details> evil" to l\\nx.md › Tools & more'
    assert shown_text("a\u200bb\nc") == "ab c"
