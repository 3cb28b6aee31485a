"""`git add` in the background, while papershelf describes the change it commits."""

from __future__ import annotations

import os
import subprocess

import git

from .gitrepo import GitFailed, last_word


class Staging:
    """`git add -A -- paths` running in the background (see `start_staging`)."""

    def __init__(self, repo: git.Repo, paths: list[str]) -> None:
        env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}  # as GitPython runs git
        for key, value in repo.git.environment().items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        self._proc = subprocess.Popen(
            ["git", "add", "-A", "--", *paths],
            cwd=repo.working_tree_dir or repo.git_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        """Wait for the staging to end; GitFailed when it failed."""
        _out, err = self._proc.communicate()
        if self._proc.returncode != 0:
            text = (err or b"").decode("utf-8", "replace")
            raise GitFailed(f"git add failed: {last_word(text, f'exit {self._proc.returncode}')}")


def start_staging(repo: git.Repo, paths: list[str]) -> Staging:
    """Start staging `paths` (additions, edits, deletions) while the caller does other work.

    Staging a big list (hashing and compressing it) and describing the change (Python) take
    about as long; run side by side on two cores, the commit starts sooner. `wait()` on the
    result before committing.
    """
    return Staging(repo, paths)
