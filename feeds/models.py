"""The fitted models a workspace ranks with, kept current off the request path.

`ModelCache` holds the last fitted pair (section ranker, relevance model) with the state of the
lists it was fitted on. A caller that can wait (a poll) gets models of the lists as they are now;
one that cannot (`/api/suggest` right after a clip changed a list) gets the last models at once
while one background thread fits the new ones. Only the very first call waits for a fit.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .knowledge import fit_index_ranker
from .rank import Ranker
from .relevance import RelevanceModel

log = logging.getLogger(__name__)

#: The interpreter's switch interval while a background fit runs (see `_background`).
BACKGROUND_SWITCH_SECONDS = 0.0005


@dataclass(frozen=True)
class Fitted:
    """Models fitted on one state of the lists (`key`)."""

    key: Hashable
    ranker: Ranker
    relevance: RelevanceModel


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a poll or a fit builds its data: reading the index,
    parsing a feed and fitting allocate hundreds of thousands of objects, and the collector
    scanned them again and again as they piled up (0.2-0.35 s of a poll on 50,000 entries; in a
    server, one full collection during a background fit held every request thread for 0.7 s).
    Reference counting still frees nearly all of it; the few cycles wait for the collector's next
    run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ModelCache:
    """The last fitted models; refits in one background thread, never two fits at once."""

    def __init__(self) -> None:
        """An empty cache."""
        self._lock = threading.Lock()
        self._fit_lock = threading.Lock()
        self._fitted: Fitted | None = None
        self._worker: threading.Thread | None = None

    @property
    def fitted(self) -> Fitted | None:
        """The last fitted models (None before the first fit)."""
        with self._lock:
            return self._fitted

    def install(self, fitted: Fitted) -> None:
        """Serve `fitted` from now on (a poll fitted newer models itself)."""
        with self._lock:
            self._fitted = fitted

    def get(self, key: Hashable, fit: Callable[[], Fitted], *, wait: bool) -> Fitted:
        """Models for state `key`: fitted now when `wait` or none exist, else the last ones
        while a background thread fits the new ones."""
        current = self.fitted
        if current is not None and current.key == key:
            return current
        if current is not None and not wait:
            self._refit_in_background(key, fit)
            return current
        return self._fit(key, fit)

    def _fit(self, key: Hashable, fit: Callable[[], Fitted]) -> Fitted:
        """Fit (once: a caller that waited for another's fit of the same state takes it)."""
        with self._fit_lock:
            current = self.fitted
            if current is not None and current.key == key:
                return current
            started = time.perf_counter()
            with collector_paused():
                fitted = fit()
            log.info("models fitted in %.2f s", time.perf_counter() - started)
            self.install(fitted)
            release_free_memory()
            return fitted

    def _refit_in_background(self, key: Hashable, fit: Callable[[], Fitted]) -> None:
        """Start one background fit unless one is running (it picks up the newest state)."""
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(
                target=self._background, args=(key, fit), name="papershelf-fit", daemon=True
            )
            self._worker.start()

    def _background(self, key: Hashable, fit: Callable[[], Fitted]) -> None:
        # While this thread fits (much of it pure Python, holding the GIL), a request thread
        # would wait up to the switch interval (5 ms) each time it wants the GIL back, many
        # times per request: hand the GIL over every 0.5 ms instead, for the fit's duration.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, BACKGROUND_SWITCH_SECONDS))
        lower_this_threads_priority()
        try:
            self._fit(key, fit)
        except Exception:  # the stale models keep serving; the next request tries again
            log.exception("background fit of the ranking models failed")
        finally:
            sys.setswitchinterval(interval)

    def wait_idle(self, timeout_seconds: float) -> bool:
        """Wait for a running background fit; whether none is running now."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.join(timeout_seconds)
            return not worker.is_alive()
        return True


def release_free_memory() -> None:
    """Hand the memory a fit freed back to the system (glibc keeps it otherwise: a fit's
    temporaries would stay in the server's resident size for good); a no-op elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


class SavedModel:
    """One fitted model pickled beside the saved index, valid for the state it was fitted on.

    A command (`papershelf poll`) lives for seconds: without it, each would fit the section
    ranker anew, the largest share of its time on a big workspace. The file is the user's own,
    in their data dir, like the stores; anything wrong with it means "fit again".
    """

    def __init__(self, path: Path) -> None:
        """A model saved at `path`."""
        self.path = path

    def load(self, key: Hashable) -> Any | None:
        """The model saved for `key` (by this version of the models), or None."""
        try:
            with self.path.open("rb") as f:
                saved_key, model = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return None
        except Exception:  # a model of an older papershelf whose classes changed
            log.info("saved model %s not usable; fitting again", self.path, exc_info=True)
            return None
        return model if saved_key == (MODEL_FORMAT, key) else None

    def save(self, key: Hashable, model: Any) -> None:
        """Save `model` for `key` (atomically; a failure is only logged)."""
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                pickle.dump(((MODEL_FORMAT, key), model), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except (OSError, pickle.PicklingError) as exc:
            log.info("model not saved: %s", exc)
            with contextlib.suppress(OSError):
                tmp.unlink()


#: Part of a saved model's key: bumped when the models' classes change, so an older file is fitted
#: anew rather than unpickled into the new code.
MODEL_FORMAT = 2


def saved_models(index: Any) -> SavedModel:
    """The section ranker saved beside the workspace's saved index."""
    from papershelf.sync.index_cache import cache_dir

    return SavedModel(cache_dir(index.workspace.root) / "sections.pickle")


#: The key the last relevance model is saved under: any saved one is a valid start (its counts are
#: by text, its weights only where a fit begins), so it is not tied to a state of the lists.
LAST_RELEVANCE = "last"


def saved_relevance(index: Any) -> SavedModel:
    """The last relevance model, saved beside the workspace's saved index: the next command's fit
    starts from its term counts and weights."""
    from papershelf.sync.index_cache import cache_dir

    return SavedModel(cache_dir(index.workspace.root) / "relevance.pickle")


def lower_this_threads_priority() -> None:
    """Let the calling thread yield the CPU to request threads (Linux: a thread's own nice value;
    elsewhere nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


#: The section ranker is refitted for new abstracts only once they reach this share of the listed
#: papers (or `ABSTRACTS_STEP_MIN`): each online poll fetches some (`poll.abstracts_per_poll`), and
#: refitting for every 200 new abstracts among 50,000 papers cost a poll seconds for nothing.
ABSTRACTS_STEP_SHARE = 0.1
ABSTRACTS_STEP_MIN = 50


def abstracts_generation(n_abstracts: int, n_papers: int) -> int:
    """Which step of `ABSTRACTS_STEP_SHARE` of the listed papers the known abstracts are at."""
    return n_abstracts // max(ABSTRACTS_STEP_MIN, int(ABSTRACTS_STEP_SHARE * n_papers))


class RankerCache:
    """One fitted section Ranker per state of the lists: refit when a list file changed, or when
    the abstracts known grew by another `ABSTRACTS_STEP_SHARE` of the listed papers."""

    def __init__(self) -> None:
        """An empty cache."""
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._ranker: Ranker | None = None

    def get(self, index: Any, abstracts: dict[str, str] | None = None) -> Ranker:
        """The Ranker for the index's current lists (and known abstracts): the one in memory, the
        one saved beside the index by an earlier command, or fitted now (and saved)."""
        index.refresh()
        key = (index.version(), abstracts_generation(len(abstracts or {}), len(index)))
        with self._lock:
            if self._key != key:
                saved = saved_models(index)
                self._ranker = saved.load(key)
                if self._ranker is None:
                    started = time.perf_counter()
                    self._ranker = fit_index_ranker(index, abstracts)
                    log.info("ranker fitted in %.2f s", time.perf_counter() - started)
                    saved.save(key, self._ranker)
                self._key = key
            assert self._ranker is not None
            return self._ranker
