"""Sharing, the second half of a sync cycle: fetch, rebase local commits, push; pause on conflicts.

A mixin of `SyncDaemon` (daemon.py), which holds the state it reads and sets.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from . import gitrepo, share
from . import status as status_store
from .gitwait import GitWait
from .shown import shown_path
from .watch import PathFilter

log = logging.getLogger(__name__)


class Sharing:
    """`_share` and `_pause`, over the daemon's state (declared here for the type checker)."""

    root: Path
    filter: PathFilter
    template: str
    remote_name: str
    push_enabled: bool
    _status: dict[str, Any]
    _failures: int
    _retry_at: float
    _last_ok_push: dict | None
    _gitwait: GitWait

    def _set(self, **values: Any) -> None:
        raise NotImplementedError

    def _share(self, repo: Any, result: dict, force: bool, push_first: bool = False) -> None:
        """Fetch, rebase local commits onto the remote's, push; a conflict pauses sharing.

        With `push_first` (right after a commit, sharing not paused) the push is tried before
        any fetch: git accepts it only as a fast-forward, i.e. when the remote has nothing we
        lack; when the remote has moved on it is refused, and we fetch, rebase and push as usual.
        """
        up = gitrepo.upstream(repo, self.remote_name)
        self._set(remote=str(up) if up else None)
        if up is None:
            return
        if not force and time.monotonic() < self._retry_at:
            return  # backing off an unreachable remote
        if push_first and self.push_enabled and not self._status["conflict"]:
            try:
                gitrepo.push(repo, up)
            except gitrepo.PushRejected:
                log.debug("the remote has moved on: fetching and rebasing before pushing")
            else:
                self._failures = 0
                result["pushed"] = True
                self._set(last_push={"time": status_store.now_iso(), "ok": True, "error": None})
                return
        for _attempt in range(share.PUSH_ATTEMPTS):
            exists = gitrepo.fetch(repo, up)
            self._failures = 0
            result["pulled"] = True
            self._set(last_pull={"time": status_store.now_iso(), "ok": True})
            theirs = gitrepo.ref_sha(repo, up.ref) if exists else None
            head = gitrepo.ref_sha(repo, "HEAD")
            self._gitwait.seen = (head, gitrepo.ref_sha(repo, up.ref), None)  # decided on this
            conflict = self._status["conflict"]
            if (
                conflict
                and not force
                and conflict.get("head") == head
                and conflict.get("upstream") == theirs
            ):
                return  # paused: nothing changed on either side since the conflict
            behind, ahead = (
                gitrepo.counts(repo, up.ref) if theirs and head else (0, int(bool(head)))
            )
            if behind and ahead:
                rewritten: dict[str, str | None] = {}
                stages = share.rebase_onto(
                    repo, self.root, self.filter, self.template, theirs, rewritten
                )
                if stages is not None:
                    self._pause(stages, head, theirs)
                    return
                self._follow_replay(repo, rewritten, result)
                behind, ahead = gitrepo.counts(repo, up.ref)
            elif behind:  # nothing of ours to replay: just move up (same locks as a rebase)
                stages = share.rebase_onto(repo, self.root, self.filter, self.template, theirs)
                behind, ahead = 0, 0
            if conflict:
                log.info("the sync conflict is resolved; sharing again")
                self._set(conflict=None, paused=False)
            if ahead == 0 and not (self._status.get("last_push") or {}).get("ok", True):
                # Nothing is left unpushed: what failed while the remote was away was a fetch.
                self._set(last_push=self._last_ok_push)
            if not self.push_enabled or ahead == 0:
                return
            try:
                gitrepo.push(repo, up)
            except gitrepo.PushRejected:
                continue  # someone pushed in between: fetch, rebase and try again
            result["pushed"] = True
            self._set(last_push={"time": status_store.now_iso(), "ok": True, "error": None})
            return
        raise gitrepo.GitFailed(f"push to {up} was rejected {share.PUSH_ATTEMPTS} times")

    def _follow_replay(self, repo: Any, rewritten: dict[str, str | None], result: dict) -> None:
        """The last commit after a rebase: the replayed one (new sha, its message), or a notice
        that git dropped it because the remote already had its change."""
        last = self._status.get("last_commit")
        if not last or last.get("sha") not in rewritten:
            return
        new = rewritten[last["sha"]]
        committed = result.get("committed")
        if new is None:
            subject = str(last.get("message") or "").split("\n", 1)[0]
            self._set(
                last_commit=None,
                notice=f'the rebase dropped the commit "{subject}": the remote already had '
                "its change",
            )
            if committed and committed.get("sha") == last["sha"]:
                result["committed"] = {**committed, "dropped": True}
            return
        message = repo.commit(new).message.rstrip("\n")
        self._set(last_commit={**last, "sha": new, "message": message})
        if committed and committed.get("sha") == last["sha"]:
            result["committed"] = {**committed, "sha": new, "message": message}

    def _pause(self, stages: dict, head: str | None, theirs: str) -> None:
        """Record an unresolvable conflict and stop sharing until something changes."""
        details = share.conflict_details(stages)
        conflict = {
            "files": sorted(shown_path(p) for p in stages),
            "details": details,
            "time": status_store.now_iso(),
            "head": head,
            "upstream": theirs,
        }
        log.warning("sync paused: %s", "; ".join(details) or ", ".join(stages))
        self._set(conflict=conflict, paused=True)
