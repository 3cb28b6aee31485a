"""The share half of a sync cycle: fetch, rebase local commits onto the remote's, push; a conflict
pauses sharing until something changes on either side."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import git

from . import gitrepo, recovery, replay
from .commit import commit_pending, holding, message_of
from .gitrepo import Stages
from .gitwait import GitWait
from .merge import merge_lists
from .schedule import Schedule
from .shown import shown_path
from .status import ConflictRecord, CycleResult, LiveStatus, PushRecord, now_iso
from .watch import PathFilter

log = logging.getLogger(__name__)

#: Attempts at fetch, rebase, push when the remote moves between our fetch and our push.
PUSH_ATTEMPTS = 3


@dataclass
class Pusher:
    """Shares one workspace's commits with its upstream, recording what it did in `status`."""

    root: Path
    filter: PathFilter
    template: str
    remote_name: str
    push_enabled: bool
    status: LiveStatus
    schedule: Schedule
    gitwait: GitWait
    #: The last successful push, put back when a failure turns out to have been only a fetch's.
    last_ok_push: PushRecord | None = None

    def share(
        self, repo: git.Repo, result: CycleResult, force: bool, push_first: bool = False
    ) -> None:
        """Fetch, rebase local commits onto the remote's, push; a conflict pauses sharing.

        With `push_first` (right after a commit, sharing not paused) the push is tried before
        any fetch: git accepts it only as a fast-forward, i.e. when the remote has nothing we
        lack; when the remote has moved on it is refused, and we fetch, rebase and push as usual.
        """
        up = gitrepo.upstream(repo, self.remote_name)
        self.status.set(remote=str(up) if up else None)
        if up is None:
            return
        if not force and self.schedule.backing_off(time.monotonic()):
            return  # backing off an unreachable remote
        if push_first and self.push_enabled and not self.status.current.conflict:
            try:
                gitrepo.push(repo, up)
            except gitrepo.PushRejected:
                log.debug("the remote has moved on: fetching and rebasing before pushing")
            else:
                self.schedule.reached()
                self._pushed(result)
                return
        for _attempt in range(PUSH_ATTEMPTS):
            exists = gitrepo.fetch(repo, up)
            self.schedule.reached()
            result.pulled = True
            self.status.set(last_pull={"time": now_iso(), "ok": True})
            theirs = gitrepo.ref_sha(repo, up.ref) if exists else None
            head = gitrepo.ref_sha(repo, "HEAD")
            self.gitwait.seen = (head, gitrepo.ref_sha(repo, up.ref), None)  # decided on this
            conflict = self.status.current.conflict
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
            if behind and ahead and theirs:
                rewritten: dict[str, str | None] = {}
                stages = rebase_onto(repo, self.root, self.filter, self.template, theirs, rewritten)
                if stages is not None:
                    self._pause(stages, head, theirs)
                    return
                self._follow_replay(repo, rewritten, result)
                behind, ahead = gitrepo.counts(repo, up.ref)
            elif behind and theirs:  # nothing of ours to replay: just move up (same locks)
                rebase_onto(repo, self.root, self.filter, self.template, theirs)
                behind, ahead = 0, 0
            if conflict:
                log.info("the sync conflict is resolved; sharing again")
                self.status.set(conflict=None, paused=False)
            last_push = self.status.current.last_push
            if ahead == 0 and last_push is not None and not last_push["ok"]:
                # Nothing is left unpushed: what failed while the remote was away was a fetch.
                self.status.set(last_push=self.last_ok_push)
            if not self.push_enabled or ahead == 0:
                return
            try:
                gitrepo.push(repo, up)
            except gitrepo.PushRejected:
                continue  # someone pushed in between: fetch, rebase and try again
            self._pushed(result)
            return
        raise gitrepo.GitFailed(f"push to {up} was rejected {PUSH_ATTEMPTS} times")

    def unreachable(self, error: str) -> str:
        """The remote could not be reached: back off and record it; the line the status shows."""
        last_push = self.status.current.last_push
        if last_push is not None and last_push["ok"]:
            self.last_ok_push = last_push
        wait = self.schedule.unreachable(time.monotonic())
        self.status.set(last_push={"time": now_iso(), "ok": False, "error": error})
        return f"{error} (retrying in {wait:.3g} s; commits are kept locally)"

    def _pushed(self, result: CycleResult) -> None:
        result.pushed = True
        self.status.set(last_push={"time": now_iso(), "ok": True, "error": None})

    def _follow_replay(
        self, repo: git.Repo, rewritten: dict[str, str | None], result: CycleResult
    ) -> None:
        """The last commit after a rebase: the replayed one (new sha, its message), or a notice
        that git dropped it because the remote already had its change."""
        last = self.status.current.last_commit
        if not last or last.get("sha") not in rewritten:
            return
        new = rewritten[last["sha"]]
        committed = result.committed
        if new is None:
            subject = str(last.get("message") or "").split("\n", 1)[0]
            self.status.set(
                last_commit=None,
                notice=f'the rebase dropped the commit "{subject}": the remote already had '
                "its change",
            )
            if committed and committed.get("sha") == last["sha"]:
                result.committed = {**committed, "dropped": True}
            return
        message = str(repo.commit(new).message).rstrip("\n")
        self.status.set(last_commit={**last, "sha": new, "message": message})
        if committed and committed.get("sha") == last["sha"]:
            result.committed = {**committed, "sha": new, "message": message}

    def _pause(self, stages: Stages, head: str | None, theirs: str) -> None:
        """Record an unresolvable conflict and stop sharing until something changes."""
        details = conflict_details(stages)
        conflict: ConflictRecord = {
            "files": sorted(shown_path(p) for p in stages),
            "details": details,
            "time": now_iso(),
            "head": head,
            "upstream": theirs,
        }
        log.warning("sync paused: %s", "; ".join(details) or ", ".join(stages))
        self.status.set(conflict=conflict, paused=True)


def conflict_details(stages: Stages) -> list[str]:
    """One line per entry the rebase could not merge, from each conflicted path's three versions."""
    out = []
    for raw, (base, ours, theirs) in stages.items():
        path = shown_path(raw)
        if ours is None or theirs is None:
            out.append(f"{path}: deleted on one side and changed on the other")
            continue
        result = merge_lists(base or b"", ours, theirs)
        lines = result.conflicts or ["changed on both sides"]
        out.extend(f"{path}: {line}" for line in lines)
    return out


def rebase_onto(
    repo: git.Repo,
    root: Path,
    path_filter: PathFilter,
    template: str,
    onto: str,
    rewritten: dict[str, str | None] | None = None,
) -> Stages | None:
    """Rebase local commits onto `onto` holding the locks of every file either side touched.

    Pending edits to those files are committed first (under their locks) so the rebase never
    rewrites a file with uncommitted work; other tracked edits are stashed and put back.
    Returns the conflicted paths' versions (the rebase was aborted) or None; after a rebase,
    `rewritten` gets each replayed commit's new sha by its old one (None: dropped as empty).
    """
    base = repo.git.merge_base("HEAD", onto)
    touched = set(gitrepo.changed_between(repo, base, onto))
    touched |= set(gitrepo.changed_between(repo, base, "HEAD"))
    top = Path(repo.working_tree_dir or root)
    with holding(top, sorted(touched)):
        commit_pending(repo, root, path_filter, template, only=touched, lock=False)
        dirty = {c.path for c in gitrepo.status(repo) if c.code != "??"}
        overlap = sorted(dirty & touched)
        if overlap:
            raise gitrepo.GitFailed(
                f"uncommitted changes to {overlap[0]} would be overwritten by the remote's; "
                "commit or undo them"
            )
        before = replay.local_commits(repo, onto)
        head = gitrepo.rev(repo, "HEAD")
        if head is not None:  # an interrupted rebase is then recognised as ours (recovery)
            recovery.mark_rebase(repo, head, onto)
        try:
            stages = gitrepo.rebase(repo, onto, autostash=bool(dirty))
        finally:
            recovery.unmark_rebase(repo)
        if stages is None and before and rewritten is not None:
            rewritten.update(replay.replayed(repo, before, onto))
            replay.reword(
                repo,
                onto,
                rewritten,
                lambda c: message_of(repo, root, path_filter, template, c),
            )
        return stages
