"""Dynamic batching: requests that arrive close together run as one batch.

One consumer takes the oldest waiting request, then keeps collecting requests
with the same options until the batch holds ``max_batch`` instances or
``wait_ms`` have passed since it started, runs the batch in the single model
thread, and hands each request its slice of the answers. While a batch runs,
new requests queue, so under load batches fill up without waiting; a lone
request waits at most ``wait_ms`` (the server's default is 0: run at once when
idle, batch what queued while busy).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
from dataclasses import dataclass, field


@dataclass
class _Pending:
    options: tuple
    instances: list
    batchable: bool
    future: asyncio.Future = field(repr=False)


class Batcher:
    def __init__(self, run, *, max_batch: int, wait_ms: float):
        """``run(instances, options) -> answers`` is called in one worker thread."""
        self.run, self.max_batch, self.wait = run, max_batch, wait_ms / 1000
        self.queue: collections.deque[_Pending] = collections.deque()
        self.arrived = asyncio.Event()
        self.executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="model")
        self.batches = 0
        self.running = False
        self.task = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._consume())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        self.executor.shutdown(wait=True, cancel_futures=True)

    def enqueue(self, instances: list, options: tuple, batchable: bool = True) -> asyncio.Future:
        """Queue a request now (nothing awaited); the future gets its answers."""
        future = asyncio.get_running_loop().create_future()
        self.queue.append(_Pending(options, instances, batchable, future))
        self.arrived.set()
        return future

    async def submit(self, instances: list, options: tuple, batchable: bool = True) -> list:
        return await self.enqueue(instances, options, batchable)

    async def drain(self, poll_s: float = 0.01) -> None:
        """Return once nothing is queued or running."""
        while self.queue or self.running:
            await asyncio.sleep(poll_s)

    def _take(self, first: _Pending, size: int) -> list[_Pending]:
        """Queued requests with the options of ``first`` that fit beside ``size``
        instances within ``max_batch``."""
        taken = []
        if not first.batchable:
            return taken
        for pending in list(self.queue):
            if size >= self.max_batch:
                break
            if pending.batchable and pending.options == first.options \
                    and size + len(pending.instances) <= self.max_batch:
                self.queue.remove(pending)
                taken.append(pending)
                size += len(pending.instances)
        return taken

    async def _consume(self) -> None:
        while True:
            while not self.queue:
                self.arrived.clear()
                await self.arrived.wait()
            self.running = True  # from taking a request until it is answered (drain)
            try:
                await self._next()
            finally:
                self.running = False

    async def _next(self) -> None:
        loop = asyncio.get_running_loop()
        first = self.queue.popleft()
        if first.future.cancelled():
            return
        batch = [first, *self._take(first, len(first.instances))]
        deadline = loop.time() + self.wait
        while first.batchable and sum(len(p.instances) for p in batch) < self.max_batch:
            left = deadline - loop.time()
            if left <= 0:
                break
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                break
            batch += self._take(first, sum(len(p.instances) for p in batch))
        batch = [p for p in batch if not p.future.cancelled()]
        if batch:
            await self._answer(batch, first.options)

    async def _answer(self, batch: list[_Pending], options: tuple) -> None:
        """Run ``batch``; when it fails, run its requests one by one, so only the
        request that caused the failure gets the error."""
        loop = asyncio.get_running_loop()
        instances = [item for p in batch for item in p.instances]
        try:
            answers = await loop.run_in_executor(self.executor, self.run, instances, options)
        except Exception as error:  # noqa: BLE001 (handed to the waiting requests)
            if len(batch) > 1:
                for pending in batch:
                    await self._answer([pending], options)
            elif not batch[0].future.done():
                batch[0].future.set_exception(error)
            return
        self.batches += 1
        start = 0
        for pending in batch:
            end = start + len(pending.instances)
            if not pending.future.done():
                pending.future.set_result(answers[start:end])
            start = end
