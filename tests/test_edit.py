"""papershelf.sync.edit, the one edit of a list: a settled read, and a write only over the bytes read."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import papershelf.sync.edit as edit
from papershelf.sync.atomic import written_elsewhere
from papershelf.sync.edit import read_settled, replace_if_unchanged
from papershelf.sync.errors import NotFound
from papershelf.sync.insert import add_paper, check_target
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace

TEXT = b"# Papers\n\n## Tools\n\n- [Old](https://arxiv.org/abs/2301.00001), Jan. 1 2023.\n"


def _list(tmp_path: Path, data: bytes = TEXT) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    path = root / "papers.md"
    path.write_bytes(data)
    return path


def _same_size_edit_keeping_mtime(path: Path, old: bytes, new: bytes) -> None:
    """An in-place save the file's size and modification time do not show."""
    assert len(old) == len(new)
    info = path.stat()
    with open(path, "r+b") as fh:
        fh.write(new)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_save_the_stat_does_not_show_is_swapped_back_untouched(tmp_path: Path) -> None:
    path = _list(tmp_path)
    snap = read_settled(path)
    theirs = TEXT.replace(b"Old", b"New")
    _same_size_edit_keeping_mtime(path, TEXT, theirs)
    assert replace_if_unchanged(path, snap, TEXT + b"- ours\n") is False
    assert path.read_bytes() == theirs
    assert [p.name for p in path.parent.iterdir()] == ["papers.md"]  # no temp file left


def test_without_an_atomic_swap_a_save_before_the_rename_is_kept(tmp_path: Path) -> None:
    path = _list(tmp_path)
    edit._swap_unsupported.add(path.stat().st_dev)  # as on a platform with no swap call
    try:
        snap = read_settled(path)
        theirs = TEXT.replace(b"Old", b"New")
        _same_size_edit_keeping_mtime(path, TEXT, theirs)
        assert replace_if_unchanged(path, snap, TEXT + b"- ours\n") is False
        assert path.read_bytes() == theirs
        assert replace_if_unchanged(path, read_settled(path), theirs + b"- ours\n") is True
        assert path.read_bytes() == theirs + b"- ours\n"
    finally:
        edit._swap_unsupported.clear()


def test_an_unchanged_file_is_replaced_with_its_mode(tmp_path: Path) -> None:
    path = _list(tmp_path)
    path.chmod(0o640)
    assert replace_if_unchanged(path, read_settled(path), TEXT + b"- ours\n") is True
    assert path.read_bytes() == TEXT + b"- ours\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir()] == ["papers.md"]


def _save_in_two_halves(path: Path, new: bytes, pause: float, started: threading.Event) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(0)
        fh.write(new[: len(new) // 2])
        fh.flush()
        started.set()
        time.sleep(pause)
        fh.write(new[len(new) // 2 :])


def test_a_half_written_in_place_save_is_read_once_it_is_whole(tmp_path: Path) -> None:
    path = _list(tmp_path)
    read_settled(path)  # the size papershelf last saw
    new = TEXT + b"- [Added by hand](https://arxiv.org/abs/2301.00002), Jan. 2 2023.\n"
    started = threading.Event()
    saver = threading.Thread(target=_save_in_two_halves, args=(path, new, 0.02, started))
    saver.start()
    started.wait(5)
    assert read_settled(path).data == new
    saver.join()


@contextlib.contextmanager
def paused_save(tmp_path: Path, line: bytes) -> Iterator[Path]:
    """A list being saved in place (with `line` added), paused 30 ms half-written, while inside."""
    path = _list(tmp_path, b"# Papers\n\n" + b"x" * 200 + b"\n\n## Tools\n\n- [A](u), 2023.\n")
    started = threading.Event()
    saver = threading.Thread(
        target=_save_in_two_halves, args=(path, path.read_bytes() + line, 0.03, started)
    )
    saver.start()
    started.wait(5)
    try:
        yield path
    finally:
        saver.join()


def test_a_section_missing_from_a_half_written_save_is_no_404(tmp_path: Path) -> None:
    """F22: a clip reading the list during an in-place save does not answer "No section"."""
    with paused_save(tmp_path, b"- [B](v), 2023.\n") as path:
        ws = open_workspace(path.parent)
        check_target(ws, "papers.md", "Tools")  # read half-written: no Tools yet
    with pytest.raises(NotFound, match="No section 'Nowhere'"):
        check_target(ws, "papers.md", "Nowhere")


def test_a_clip_during_a_half_written_save_waits_for_it(tmp_path: Path) -> None:
    with paused_save(tmp_path, b"- [By hand](v), 2023.\n") as path:
        paper = Paper(arxiv_id="2401.00009", title="Clipped", published="2024-01-02")
        assert add_paper(open_workspace(path.parent), paper, "papers.md", "Tools").status == "added"
    text = path.read_text()
    assert "[By hand](v)" in text and "Clipped" in text and "x" * 200 in text


def test_holding_the_locks_of_a_thousand_lists_keeps_few_files_open(tmp_path: Path) -> None:
    from papershelf.sync.atomic import LOCK_STRIPES, locked, locked_many

    paths = [tmp_path / f"l{n:04d}.md" for n in range(1000)]
    before = len(os.listdir("/proc/self/fd"))
    with locked_many(paths):
        assert len(os.listdir("/proc/self/fd")) - before <= LOCK_STRIPES
        with locked(paths[0]), locked(paths[1]):  # the holder may lock them again: no deadlock
            pass
    assert len(os.listdir("/proc/self/fd")) <= before


def test_a_list_lock_held_by_one_thread_waits_another(tmp_path: Path) -> None:
    from filelock import Timeout

    from papershelf.sync.atomic import locked

    path = tmp_path / "a.md"
    failed = []

    def other() -> None:
        try:
            with locked(path, timeout_seconds=0.1):
                pass
        except Timeout:
            failed.append(True)

    with locked(path):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(5)
    assert failed == [True]


def test_a_save_paused_far_longer_than_the_settle_time_is_still_read_whole(
    tmp_path: Path,
) -> None:
    """A loaded machine can pause an editor between the halves of its save for longer than
    any settle time: on Linux a read lease sees that it still holds the list open to write."""
    path = _list(tmp_path)
    if _leases_work(path) is not True:
        pytest.skip("no read leases here (not Linux, or not the file's owner)")
    read_settled(path)
    new = TEXT + b"- [Added by hand](https://arxiv.org/abs/2301.00002), Jan. 2 2023.\n"
    started = threading.Event()
    saver = threading.Thread(target=_save_in_two_halves, args=(path, new, 0.4, started))
    saver.start()
    started.wait(5)
    time.sleep(edit.SETTLE_SECONDS * 2)  # the half-written file is "old" by the clock
    assert read_settled(path).data == new
    saver.join()


def test_a_save_that_opened_the_list_before_the_swap_is_put_back(tmp_path: Path) -> None:
    path = _list(tmp_path)
    if _leases_work(path) is not True:
        pytest.skip("no read leases here (not Linux, or not the file's owner)")
    snap = read_settled(path)
    theirs = TEXT + b"- [Saved in place](https://arxiv.org/abs/2301.00003), Jan. 3 2023.\n"
    with open(path, "r+b") as editor:  # opened, not yet written: the stat and bytes match
        assert replace_if_unchanged(path, snap, TEXT + b"- ours\n") is False
        editor.truncate(0)
        editor.write(theirs)
    assert path.read_bytes() == theirs


def _leases_work(path: Path) -> bool | None:
    with open(path, "rb") as fh:
        free = written_elsewhere(fh.fileno())
    with open(path, "rb") as fh, open(path, "r+b"):
        held = written_elsewhere(fh.fileno())
    return free is False and held is True
