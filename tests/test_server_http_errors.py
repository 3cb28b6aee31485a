"""Bad requests over real HTTP on 127.0.0.1 (a `papershelf serve` subprocess): each is a 4xx in
the one error shape, with a sentence that says what is wrong, and nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from server_support import LIST_TEXT, make_workspace, serving

from papershelf.server.app import create_app
from papershelf.server.services import Services
from papershelf.sync.errors import NotFound
from papershelf.sync.workspace import open_workspace

JSON = {"Content-Type": "application/json"}


def _error(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["ok"] is False and isinstance(body["error"], str) and "fields" in body
    return body


@pytest.mark.parametrize("data", [b"null", b" null\n", b"[1, 2]", b"3", b'"text"'])
def test_a_json_body_that_is_not_an_object_says_so_not_invalid_json(
    tmp_path: Path, data: bytes
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    with serving(workspace) as server:
        answer = server.request("POST", "/api/papers", data=data, headers=JSON)
        invalid = server.request("POST", "/api/papers", data=b"{not json", headers=JSON)
    body = _error(answer, 400)
    assert body["error"].startswith("The body must be a JSON object"), body
    assert body["fields"] == {"body": "not an object"}
    assert _error(invalid, 400)["error"] == "The body is not valid JSON."
    assert (workspace / "reading.md").read_text(encoding="utf-8") == LIST_TEXT


UNTITLED = {"arxiv_id": "2611.04417", "list": "odd.md", "section": "Tools"}
TITLED = {**UNTITLED, "title": "Shelving Papers by Hand"}


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_list_that_is_a_fifo_or_a_directory_is_a_4xx_not_a_hang_or_a_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", "http://127.0.0.1:9/api/query")  # never asked
    workspace = make_workspace(tmp_path / "ws")
    odd = workspace / "odd.md"
    if kind == "fifo":
        os.mkfifo(odd)  # reading it would wait for a writer for ever
    else:
        odd.mkdir()
    with serving(workspace) as server:
        answers = [
            server.request("POST", "/api/papers", json=body, timeout=10)
            for body in (UNTITLED, TITLED)
        ]
        lists = server.request("GET", "/api/lists", timeout=10)
        lookup = server.request("GET", "/api/lookup?id=2001.00001", timeout=10)
    for answer in answers:
        if kind == "fifo":
            body = _error(answer, 409)
            assert body["error"] == "Cannot read odd.md: not a regular file; nothing was written."
            assert body["fields"] == {"list": "unreadable"}
        else:
            assert _error(answer, 404)["fields"]["list"] == "unknown"
    assert lists.status_code == 200 and [x["path"] for x in lists.json()["lists"]] == ["reading.md"]
    assert lookup.status_code == 200 and lookup.json()["listed"] is True
    assert (workspace / "reading.md").read_text(encoding="utf-8") == LIST_TEXT


def test_a_list_deleted_between_resolving_and_reading_is_404(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race only: the list is there when its name is checked and gone when it is read.
    workspace = make_workspace(tmp_path / "ws")
    services = Services.build(open_workspace(workspace))
    (workspace / "odd.md").write_text(LIST_TEXT, encoding="utf-8")  # not indexed yet
    real = services.workspace.resolve_list

    def resolve_then_vanish(list_path: str) -> Path:
        path = real(list_path)
        path.unlink(missing_ok=True)
        return path

    monkeypatch.setattr(services.workspace, "resolve_list", resolve_then_vanish)
    with pytest.raises(NotFound) as gone:
        services.clips.check_target("odd.md", "Tools")
    assert gone.value.fields == {"list": "unknown"} and "odd.md" in gone.value.message
    (workspace / "odd.md").write_text(LIST_TEXT, encoding="utf-8")
    client = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": "t" * 32})
    answer = client.test_client().post(
        "/api/papers", json=TITLED, headers={"X-Papershelf-Token": "t" * 32}
    )
    assert answer.status_code == 404, answer.get_json()
    assert answer.get_json()["fields"] == {"list": "unknown"}


def test_lookup_refuses_an_id_that_names_no_paper_and_a_repeated_parameter(
    tmp_path: Path,
) -> None:
    with serving(make_workspace(tmp_path / "ws")) as server:
        garbage = server.request("GET", "/api/lookup?id=garbage")
        spaces = server.request("GET", "/api/lookup?id=not%20an%20id")
        twice = server.request("GET", "/api/lookup?id=2001.00001&id=2002.00002")
        mixed = server.request("GET", "/api/lookup?url=https://x.org/a&url=https://x.org/b")
        title_twice = server.request("GET", "/api/lookup?id=2001.00001&title=a&title=b")
        good = server.request("GET", "/api/lookup?id=2001.00001")
        doi = server.request("GET", "/api/lookup?id=10.1000/xyz")
    for answer in (garbage, spaces):
        body = _error(answer, 400)
        assert body["error"].startswith("Invalid lookup: id: Not a paper identifier"), body
        assert list(body["fields"]) == ["id"]
    for answer, name in ((twice, "id"), (mixed, "url"), (title_twice, "title")):
        body = _error(answer, 400)
        assert body["error"] == f"Give {name} once (it was given 2 times).", body
        assert body["fields"] == {name: "repeated"}
    assert good.status_code == 200 and good.json()["identity"] == "arxiv:2001.00001"
    assert doi.status_code == 200 and doi.json() == {**doi.json(), "identity": "doi:10.1000/xyz"}


REPEATED_QUERIES = [
    "/api/suggest?title=a&title=b",
    "/api/suggest?title=a&abstract=x&abstract=y",
    "/api/candidates?status=pending&status=all",
    "/api/candidates?limit=1&limit=2",
    "/api/lists?x=1&x=2",
    "/api/status?x=1&x=2",
    "/api/ping?x=1&x=2",
]


@pytest.mark.parametrize("query", REPEATED_QUERIES)
def test_every_get_route_refuses_a_repeated_parameter_in_the_one_error_shape(
    tmp_path: Path, query: str
) -> None:
    # /api/suggest?title=a&title=b silently ranked the first title; /api/lookup answered 400.
    services = Services.build(open_workspace(make_workspace(tmp_path / "ws")))
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": "t" * 32})
    client = app.test_client()
    answer = client.get(query, headers={"X-Papershelf-Token": "t" * 32})
    name = query.rsplit("&", 1)[1].split("=")[0]
    body = answer.get_json()
    assert answer.status_code == 400, body
    assert body["ok"] is False
    assert body["error"] == f"Give {name} once (it was given 2 times).", body
    assert body["fields"] == {name: "repeated"}
    if not query.startswith("/api/ping"):  # the token is checked first, as for every route
        assert client.get(query).status_code == 401


def test_the_repeated_parameter_test_covers_every_get_route_of_the_api(tmp_path: Path) -> None:
    services = Services.build(open_workspace(make_workspace(tmp_path / "ws")))
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": "t" * 32})
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and "GET" in (rule.methods or ())
    }
    covered = {query.split("?")[0] for query in REPEATED_QUERIES}
    # /api/lookup: test_lookup_refuses_an_id_that_names_no_paper_and_a_repeated_parameter.
    assert routes == covered | {"/api/lookup"}, "a new GET route: add it to REPEATED_QUERIES"
