"""The dynamic batcher on its own: batching, options kept apart, failures isolated."""

import asyncio

import pytest

from rnn_apps.serving.batching import Batcher


def run_batches(submissions, max_batch=8, wait_ms=20.0):
    """Submit ``(instances, options, batchable)`` all at once; the answers and
    the batches the run function saw."""
    seen = []

    def run(instances, options):
        seen.append((list(instances), options))
        if "bad" in instances:
            raise ValueError("bad instance")
        return [f"{item}:{options}" for item in instances]

    async def main():
        batcher = Batcher(run, max_batch=max_batch, wait_ms=wait_ms)
        batcher.start()
        try:
            return await asyncio.wait_for(asyncio.gather(
                *(batcher.submit(*args) for args in submissions), return_exceptions=True), 30)
        finally:
            await batcher.stop()

    return asyncio.run(main()), seen


def test_requests_arriving_together_share_a_batch_up_to_its_size():
    answers, seen = run_batches([([f"t{i}"], "o", True) for i in range(12)], max_batch=8)
    assert answers == [[f"t{i}:o"] for i in range(12)]
    assert [len(instances) for instances, _ in seen] == [8, 4]


def test_different_options_and_unbatchable_requests_run_apart():
    answers, seen = run_batches([(["a"], "x", True), (["b"], "y", True), (["c"], "x", True),
                                 (["d"], "x", False), (["e"], "x", False)])
    assert answers == [["a:x"], ["b:y"], ["c:x"], ["d:x"], ["e:x"]]
    assert sorted(map(tuple, (i for i, _ in seen))) == [("a", "c"), ("b",), ("d",), ("e",)]


def test_a_failing_request_fails_alone():
    answers, _ = run_batches([(["a"], "o", True), (["bad"], "o", True), (["c", "d"], "o", True)])
    assert answers[0] == ["a:o"] and answers[2] == ["c:o", "d:o"]
    assert isinstance(answers[1], ValueError)


@pytest.mark.parametrize("wait_ms", [0.0, 5.0])
def test_a_lone_request_is_answered(wait_ms):
    answers, seen = run_batches([(["only"], "o", True)], wait_ms=wait_ms)
    assert answers == [["only:o"]] and len(seen) == 1
