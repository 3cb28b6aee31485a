"""Abstracts of the lists' own papers, asked of the arXiv API by id, cached (the shell).

Lists mostly hold titles; feed items carry abstracts. A list learns better from its papers'
abstracts, so each poll asks arXiv for a bounded number of the listed papers it has not asked about
yet, 100 ids per call (`ArxivClient.fetch_by_ids`, which keeps 3 s between calls). Offline, or
when arXiv fails, nothing is lost: the lists are learned from their titles, and the next poll asks
again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from papershelf.sync.errors import PapershelfError

from .texts import TextStore

log = logging.getLogger(__name__)

_PREFIX = "arxiv:"
#: After a failed call, this process asks that endpoint again only this much later (offline,
#: each poll would otherwise wait on the rate gate and a refused connection for nothing).
PAUSE_AFTER_FAILURE_SECONDS = 600.0
_paused_until: dict[str, float] = {}
_paused_lock = threading.Lock()


def listed_arxiv_ids(identities: Iterable[str | None]) -> list[str]:
    """The arXiv identities among `identities`, distinct, in order."""
    return list(dict.fromkeys(i for i in identities if i and i.startswith(_PREFIX)))


def fetch_abstracts(
    client: Any, texts: TextStore, identities: Iterable[str | None], max_ids: int
) -> int:
    """Ask arXiv for up to `max_ids` listed papers not asked about yet; how many were answered.

    Ids arXiv does not return are recorded as having no abstract (not asked again); a failed call
    stops the round and leaves the rest for the next poll.
    """
    if max_ids <= 0 or client is None:
        return 0
    endpoint = str(getattr(client, "base_url", ""))
    with _paused_lock:
        if time.monotonic() < _paused_until.get(endpoint, 0.0):
            return 0
    asked = texts.asked()
    wanted = [i for i in listed_arxiv_ids(identities) if i not in asked][:max_ids]
    answered = 0
    batch = max(1, int(getattr(client, "ids_per_call", 100)))
    for start in range(0, len(wanted), batch):
        chunk = wanted[start : start + batch]
        try:
            papers = client.fetch_by_ids([i.removeprefix(_PREFIX) for i in chunk])
        except PapershelfError as exc:
            log.info("abstracts not fetched now (%s); the lists are learned from titles", exc)
            with _paused_lock:
                _paused_until[endpoint] = time.monotonic() + PAUSE_AFTER_FAILURE_SECONDS
            break
        found: dict[str, str | None] = dict.fromkeys(chunk)
        for base, paper in papers.items():
            key = _PREFIX + base
            if key in found:
                found[key] = (paper.abstract or "").strip() or None
        texts.save_abstracts(found)
        answered += len(chunk)
    if answered:
        log.info("asked arXiv for the abstracts of %d listed papers", answered)
    return answered
