"""The one model thread: requests run there in order, one at a time, and view work can be cancelled.

``submit`` is called from any thread (the GUI's). A new view request replaces the view requests
still waiting (only the newest matters) and makes the one in flight stale: the worker checks
``is_current`` between tiles and stops. Generations are handed out here, so "stale" has one
meaning for both sides. A batch runs one file per turn; requests that arrive meanwhile go first.
Results leave through ``deliver`` on the model thread; the GUI's bridge carries them across.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Generator
from typing import Protocol

from nicgui.app.requests import ViewRequest

log = logging.getLogger(__name__)

Steps = Generator[None, None, None]  # a long job: one step per turn of the model thread

WORKER_NICE = 5  # how much lower the model thread (and the compute threads it starts) runs than the GUI


class Runner(Protocol):
    """What the scheduler drives: ``start`` once, then ``run`` per request (see ``worker.Worker``).

    ``run`` may return an iterator: a long job that the scheduler advances one step per turn.
    """

    def start(self) -> None: ...

    def run(self, request: object) -> Steps | None: ...


class Scheduler:
    """Owns the model thread; thread-safe ``submit``, ``cancel`` and ``shutdown``."""

    def __init__(self, name: str = "nicgui-model", lower_priority: bool = True) -> None:
        self._name = name
        self._lower_priority = lower_priority
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._steps: deque[Steps] = deque()  # long jobs (batches), one step per turn
        self._generation = 0
        self._closing = False
        self._thread: threading.Thread | None = None
        self._runner: Runner | None = None

    # -- generations -------------------------------------------------------------------------------
    def advance(self) -> int:
        """A new view generation: everything older is stale from now on."""
        with self._cond:
            self._generation += 1
            return self._generation

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    def is_current(self, generation: int) -> bool:
        """Whether work of ``generation`` is still wanted (read between tiles on the model thread)."""
        with self._cond:
            return generation == self._generation and not self._closing

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, runner: Runner) -> None:
        """Start the model thread; its first act is ``runner.start()`` (loading the model)."""
        if self._thread is not None:
            raise RuntimeError("the scheduler is already started")
        self._runner = runner
        self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def close(self) -> None:
        """Drop what is waiting and make the work in flight stale (it stops at its next tile);
        the thread ends after that. Returns at once; ``shutdown`` also waits."""
        with self._cond:
            self._closing = True
            self._generation += 1
            self._queue.clear()
            self._cond.notify_all()

    def shutdown(self, timeout: float | None = None) -> bool:
        """``close``, then wait for the thread; whether it ended within ``timeout`` s (None: no limit)."""
        self.close()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- requests --------------------------------------------------------------------------------
    def submit(self, request: object) -> None:
        """Queue ``request``; a view request replaces the view requests not yet started."""
        with self._cond:
            if self._closing:
                log.debug("not submitting %s: shutting down", type(request).__name__)
                return
            if isinstance(request, ViewRequest):
                kept = [r for r in self._queue if not isinstance(r, ViewRequest)]
                self._queue.clear()
                self._queue.extend(kept)
            self._queue.append(request)
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Requests waiting (not counting the one in flight)."""
        with self._cond:
            return len(self._queue)

    def _next(self) -> tuple[object | None, Steps | None]:
        """The next request, or else a step of a long job; (None, None) when closing."""
        with self._cond:
            while not self._closing and not self._queue and not self._steps:
                self._cond.wait()
            if self._closing:
                return None, None
            if self._queue:
                return self._queue.popleft(), None
            return None, self._steps.popleft()

    def _loop(self) -> None:
        runner = self._runner
        assert runner is not None
        if self._lower_priority:
            lower_thread_priority()
        try:
            runner.start()
        except Exception:  # the worker reports the errors a user can cause itself; this is a bug
            log.exception("the model thread could not start")
        while True:
            request, steps = self._next()
            if request is None and steps is None:
                break
            if request is not None:
                try:
                    steps = runner.run(request)
                except Exception:
                    log.exception("the model thread caught an unexpected error")
                    continue
            if steps is not None and self._step(steps):
                with self._cond:
                    self._steps.append(steps)
        for steps in self._steps:  # a batch in flight still reports how far it got
            steps.close()
        log.debug("model thread ends")

    @staticmethod
    def _step(steps: Steps) -> bool:
        """Run one step of a long job; whether it has more."""
        try:
            next(steps)
        except StopIteration:
            return False
        except Exception:
            log.exception("a long job failed")
            return False
        return True


def lower_thread_priority(step: int = WORKER_NICE) -> None:
    """Give the calling thread a higher nice value, so the GUI thread wins a busy CPU at once.

    On Linux nice values are per thread and inherited by the threads it creates, so torch's
    compute threads (started by the model thread's first parallel operation) run lower too.
    Elsewhere the model thread runs at the normal priority.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + step))
    except OSError as e:  # not allowed here: keep going at normal priority
        log.debug("cannot lower the model thread's priority: %s", e)
