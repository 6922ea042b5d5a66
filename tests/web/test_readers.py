"""Read-only pages use the database through at most as many threads as the pool keeps connections: the others
wait on the event loop, so a crowd never opens connections beyond the pool's nor fills every thread."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import anyio
import sqlalchemy as sa

from shop.api.http.deps import read_only, readers


def test_read_only_pages_use_at_most_the_pools_connections_at_once(engine):
    state = SimpleNamespace(engine=engine, readers=readers(2))
    request = SimpleNamespace(app=SimpleNamespace(state=state), state=SimpleNamespace())
    lock, inside, most = threading.Lock(), [0], [0]

    def work(session):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        answer = session.scalar(sa.text("SELECT 1"))
        with lock:
            inside[0] -= 1
        return answer

    async def crowd():
        answers = []
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(lambda: _ask(answers))
        return answers

    async def _ask(answers):
        answers.append(await read_only(request, work))

    answers = []  # in a thread of its own: the fixtures may have left this one marked as running a loop
    runner = threading.Thread(target=lambda: answers.extend(anyio.run(crowd)))
    runner.start()
    runner.join()
    assert answers == [1] * 8
    assert most[0] == 2


def test_without_a_pool_as_many_as_anyio_runs_threads():
    assert readers(0).total_tokens == 40 and readers(5).total_tokens == 5
