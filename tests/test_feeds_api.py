"""`/api/suggest`, `/api/candidates`, accept and reject through the real app (Flask test client)."""

from __future__ import annotations

from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES
from server_support import AUTH

from papershelf.feeds.decisions import add_rejected
from papershelf.feeds.poll import Poller
from papershelf.server.services import Services
from papershelf.sync.workspace import open_workspace


@pytest.fixture
def workspace_root(feeds_workspace: Path) -> Path:
    return feeds_workspace


@pytest.fixture
def services(workspace_root: Path) -> Services:
    """The parts over a workspace whose feed was polled once."""
    ws = open_workspace(workspace_root)
    Poller(ws).poll_file(FEED_FIXTURES / "rss" / "arxiv_cs.CL+cs.LG_mixed.xml")
    return Services.build(ws)


def _pending(client) -> list[dict]:
    response = client.get("/api/candidates", headers=AUTH)
    assert response.status_code == 200
    return response.get_json()["candidates"]


def test_suggest(client) -> None:
    response = client.get(
        "/api/suggest",
        query_string={"title": "Low-rank adapters for fine-tuning", "abstract": "LoRA on one GPU."},
        headers=AUTH,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body[0]["section"] == "Training notes > Parameter-efficient fine-tuning"
    assert body[0]["list"] == "training.md" and body[0]["why"] and 0 < body[0]["score"] <= 1


def test_suggest_needs_a_title_and_a_token(client) -> None:
    response = client.get("/api/suggest", headers=AUTH)
    assert response.status_code == 400
    assert response.get_json() == {
        "ok": False,
        "error": "Give title.",
        "fields": {"title": "missing"},
    }
    too_long = client.get("/api/suggest", query_string={"title": "x" * 1001}, headers=AUTH)
    assert too_long.status_code == 400 and too_long.get_json()["fields"] == {"title": "too long"}
    assert client.get("/api/suggest", query_string={"title": "x"}).status_code == 401


def test_candidates_ranked_with_suggestion_and_why(client) -> None:
    found = _pending(client)
    assert len(found) == 4
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)
    by_id = {c["identity"]: c for c in found}
    # The off-topic paper (sheaf cohomology) comes last; the three training papers lead (their
    # order is the relevance model's business).
    assert found[-1]["identity"] == "arxiv:2611.09876"
    dpo = by_id["arxiv:2611.10001"]
    assert dpo["list"] == "training.md" and dpo["section"] == "Training notes > Alignment"
    assert dpo["why"] and dpo["paper"]["title"].startswith("Margin-Aware")
    lora = by_id["arxiv:2611.10033"]
    assert lora["section"] == "Training notes > Parameter-efficient fine-tuning"
    bad = client.get("/api/candidates", query_string={"status": "maybe"}, headers=AUTH)
    assert bad.status_code == 400 and bad.get_json()["ok"] is False


def test_accept_default_then_again(client, workspace_root: Path) -> None:
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.10001")
    response = client.post(f"/api/candidates/{cid}/accept", json={}, headers=AUTH)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "added" and body["section"] == "Training notes > Alignment"
    assert "Margin-Aware Direct Preference" in (workspace_root / "training.md").read_text(
        encoding="utf-8"
    )
    again = client.post(f"/api/candidates/{cid}/accept", json={}, headers=AUTH)
    assert again.status_code == 400 and "already accepted" in again.get_json()["error"]
    lookup = client.get("/api/lookup", query_string={"id": "2611.10001"}, headers=AUTH)
    assert lookup.status_code == 200


def test_accept_with_section_and_bad_bodies(client, workspace_root: Path) -> None:
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.10017")
    before = (workspace_root / "training.md").read_bytes()
    missing = client.post(
        f"/api/candidates/{cid}/accept", json={"section": "Nowhere"}, headers=AUTH
    )
    assert missing.status_code == 404 and missing.get_json()["ok"] is False
    unknown = client.post(f"/api/candidates/{cid}/accept", json={"colour": "red"}, headers=AUTH)
    assert unknown.status_code == 400 and unknown.get_json()["fields"] == {"colour": "unknown"}
    assert (workspace_root / "training.md").read_bytes() == before
    ok = client.post(f"/api/candidates/{cid}/accept", json={"section": "Surveys"}, headers=AUTH)
    assert ok.status_code == 201 and ok.get_json()["section"] == "Training notes > Surveys"
    assert client.post("/api/candidates/99999/accept", json={}, headers=AUTH).status_code == 404


def test_reject(client, workspace_root: Path) -> None:
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.09876")
    response = client.post(f"/api/candidates/{cid}/reject", json={}, headers=AUTH)
    assert response.status_code == 200 and response.get_json()["candidate"]["status"] == "rejected"
    assert "arxiv:2611.09876" in (workspace_root / ".papershelf" / "rejected.txt").read_text(
        encoding="utf-8"
    )
    assert len(_pending(client)) == 3
    rejected = client.get("/api/candidates", query_string={"status": "rejected"}, headers=AUTH)
    assert [c["id"] for c in rejected.get_json()["candidates"]] == [cid]


def test_snooze(client, workspace_root: Path) -> None:
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.09876")
    before = (workspace_root / "training.md").read_bytes()
    response = client.post(f"/api/candidates/{cid}/snooze", json={}, headers=AUTH)
    assert response.status_code == 200 and response.get_json()["candidate"]["status"] == "snoozed"
    assert not (workspace_root / ".papershelf" / "rejected.txt").exists()
    assert (workspace_root / "training.md").read_bytes() == before
    assert len(_pending(client)) == 3
    again = client.post(f"/api/candidates/{cid}/snooze", json={}, headers=AUTH)
    assert again.status_code == 200  # snoozing twice changes nothing
    ok = client.post(f"/api/candidates/{cid}/accept", json={}, headers=AUTH)
    assert ok.status_code == 201  # a snoozed candidate can still be accepted
    refused = client.post(f"/api/candidates/{cid}/snooze", json={}, headers=AUTH)
    assert refused.status_code == 400 and "already accepted" in refused.get_json()["error"]
    assert client.post("/api/candidates/99999/snooze", json={}, headers=AUTH).status_code == 404


def test_candidates_rejected_or_listed_elsewhere_are_not_offered(
    client, workspace_root: Path
) -> None:
    assert len(_pending(client)) == 4
    # A pull brings a collaborator's rejection and an entry another curator clipped.
    add_rejected(open_workspace(workspace_root), "arxiv:2611.10017")
    with (workspace_root / "training.md").open("a", encoding="utf-8") as fh:
        fh.write("- [LoRA Rank Schedules](https://arxiv.org/abs/2611.10033), Nov. 2026.\n")
    assert sorted(c["identity"] for c in _pending(client)) == [
        "arxiv:2611.09876",
        "arxiv:2611.10001",
    ]


def test_accept_into_a_list_without_a_section_names_what_is_missing(
    client, workspace_root: Path
) -> None:
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.10017")
    (workspace_root / "other.md").write_text("# Other\n\n## Misc\n\n- [A](https://a.example/a)\n")
    unknown = client.post(f"/api/candidates/{cid}/accept", json={"list": "nope.md"}, headers=AUTH)
    assert unknown.status_code == 404 and "No list 'nope.md'" in unknown.get_json()["error"]
    other = client.post(f"/api/candidates/{cid}/accept", json={"list": "other.md"}, headers=AUTH)
    error = other.get_json()["error"]
    assert other.status_code == 400 and "other.md" in error and "--" not in error
    assert _pending(client)[0]["status"] == "pending"


@pytest.mark.parametrize(
    "body", [{"list": ""}, {"section": ""}, {"list": " ", "section": "Surveys"}]
)
def test_an_empty_list_or_section_is_a_400_naming_it_not_the_suggestion(
    client, workspace_root: Path, body: dict
) -> None:
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.10001")
    before = (workspace_root / "training.md").read_bytes()
    answer = client.post(f"/api/candidates/{cid}/accept", json=body, headers=AUTH)
    field = next(k for k, v in body.items() if not v.strip())
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json() == {
        "ok": False,
        "error": f"{field} must not be empty (leave it out for the suggested {field}).",
        "fields": {field: "empty"},
    }
    assert (workspace_root / "training.md").read_bytes() == before
    assert next(c for c in _pending(client) if c["id"] == cid)["status"] == "pending"


@pytest.mark.parametrize("ref", ["9" * 23, "\u00b2"])  # too big for SQLite; a digit int() refuses
def test_an_id_that_is_no_row_id_is_not_found(client, ref: str) -> None:
    for action in ("accept", "reject", "snooze"):
        answer = client.post(f"/api/candidates/{ref}/{action}", json={}, headers=AUTH)
        assert answer.status_code == 404, answer.get_json()
        assert answer.get_json() == {
            "ok": False,
            "error": f"No candidate {ref!r}.",
            "fields": {"id": ref},
        }


def test_a_limit_in_other_digits_is_a_400(client) -> None:
    answer = client.get("/api/candidates", query_string={"limit": "\u00b2"}, headers=AUTH)
    assert answer.status_code == 400 and answer.get_json()["fields"] == {"limit": "\u00b2"}


@pytest.mark.parametrize("data", [b"null", b" null\n", b"[1, 2]", b"3", b'"text"'])
def test_a_json_body_that_is_not_an_object_says_so_not_invalid_json(
    client, workspace_root: Path, data: bytes
) -> None:
    """As POST /api/papers: valid JSON that is not an object is not called invalid JSON."""
    cid = next(c["id"] for c in _pending(client) if c["identity"] == "arxiv:2611.10001")
    before = (workspace_root / "training.md").read_bytes()
    json_type = {**AUTH, "Content-Type": "application/json"}
    for action in ("accept", "reject", "snooze"):
        answer = client.post(f"/api/candidates/{cid}/{action}", data=data, headers=json_type)
        body = answer.get_json()
        assert answer.status_code == 400, body
        assert body["error"].startswith("The body must be a JSON object: "), body
        assert body["fields"] == {"body": "not an object"}
        invalid = client.post(f"/api/candidates/{cid}/{action}", data=b"{no", headers=json_type)
        assert invalid.status_code == 400
        assert invalid.get_json() == {
            "ok": False,
            "error": "The body is not valid JSON.",
            "fields": {"body": "invalid JSON"},
        }
    assert (workspace_root / "training.md").read_bytes() == before
    assert next(c for c in _pending(client) if c["id"] == cid)["status"] == "pending"
