"""Acknowledged clips that vanished before they were committed: found, and said (see
`papershelf.sync.acknowledged`). Run by each sync cycle before it commits."""

from __future__ import annotations

import logging
from typing import Any

from .. import acknowledged
from ..acknowledged import DONE, VANISHED, WAITING, Acknowledged
from ..atomic import read_regular
from ..listmodel import ListDocument, parse_list
from ..styles import find_paper
from ..workspace import Workspace
from . import gitrepo
from .commit import prefix_of

log = logging.getLogger(__name__)


def vanished_clips(repo: Any, workspace: Workspace) -> str | None:
    """The status's line about clips papershelf acknowledged that are gone from the lists
    before they were committed (and logs it), or None."""
    root = workspace.root
    prefix = prefix_of(repo, root)
    docs: dict[tuple[str, bool], ListDocument | None] = {}
    everywhere: list[Any] = []  # the workspace's index, built once if it is needed

    def doc(rel: str, in_head: bool) -> ListDocument | None:
        if (rel, in_head) not in docs:
            try:
                data = (
                    gitrepo.head_blob(repo, prefix + rel) if in_head else read_regular(root / rel)
                )
            except OSError:
                data = None
            docs[rel, in_head] = parse_list(data) if data is not None else None
        return docs[rel, in_head]

    def state(item: Acknowledged) -> str:
        head = doc(item.list, True)
        if head is not None and find_paper(head, item.identity):
            return DONE  # committed: what becomes of it now is the curators' to do
        now = doc(item.list, False)
        if now is not None and find_paper(now, item.identity):
            return WAITING
        if not everywhere:
            from ..index import WorkspaceIndex

            everywhere.append(WorkspaceIndex.build(workspace))
        # Listed elsewhere: a person moved it, which is theirs to do.
        return DONE if everywhere[0].lookup(item.ref) else VANISHED

    gone = acknowledged.settle(root, state)
    if not gone:
        return None
    line = acknowledged.vanished_line(gone)
    log.warning("sync: %s", line)
    return line
