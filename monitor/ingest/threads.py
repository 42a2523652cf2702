"""Running a few jobs at a time on daemon threads, interruptible by Ctrl-C.

Daemon threads, not a ThreadPoolExecutor: the interpreter joins an executor's threads
at exit, so Ctrl-C would wait for the slowest job (a download from a slow server).
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class _Failure:
    """An exception raised by a job in a worker thread, re-raised in the caller's thread."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def run_in_threads(jobs: Sequence[Callable[[], T]], workers: int,
                   on_interrupt: Callable[[], None] = lambda: None, name: str = "monitor-worker") -> list[T]:
    """Return the jobs' results in order, running at most ``workers`` at a time.

    A job's exception is raised here once all jobs are done. On KeyboardInterrupt,
    ``on_interrupt`` is called (to make running jobs stop early) and the interrupt
    propagates at once; jobs still running are abandoned.
    """
    results: list = [None] * len(jobs)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    done: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(jobs)):
        todo.put(index)
    for _ in range(min(max(workers, 1), len(jobs))):
        threading.Thread(target=_work, args=(jobs, results, todo, done), name=name, daemon=True).start()
    try:
        for _ in jobs:
            # A short wait, again and again: the main thread then sees a signal at once
            # even when the operating system delivered it to a worker thread.
            while not _got(done, 0.1):
                pass
    except KeyboardInterrupt:
        on_interrupt()
        raise
    for result in results:
        if isinstance(result, _Failure):
            raise result.exc
    return results


def _work(jobs: Sequence[Callable[[], object]], results: list, todo: queue.SimpleQueue[int],
          done: queue.SimpleQueue[int]) -> None:
    """Run jobs from ``todo`` until none is left, storing each result (or failure) by index."""
    while True:
        try:
            index = todo.get_nowait()
        except queue.Empty:
            return
        try:
            results[index] = jobs[index]()
        except BaseException as exc:  # why: re-raised in the caller's thread
            results[index] = _Failure(exc)
        done.put(index)


def _got(done: queue.SimpleQueue[int], seconds: float) -> bool:
    """Return True when a job finished within ``seconds``."""
    try:
        done.get(timeout=seconds)
    except queue.Empty:
        return False
    return True
