"""Running jobs at the same moment, each in its own thread and session, as two browser tabs or two people would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from shop.db import session_scope


def at_once(engine: Engine, *jobs: Callable) -> list[object]:
    """Run each job in its own thread and session, all released together; each result is what the job returned
    (after its commit) or the exception it raised."""
    start = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable) -> None:
        start.wait(timeout=30)
        try:
            with session_scope(engine) as db:
                results[i] = job(db)
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results
