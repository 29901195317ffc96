"""Several models in one server, and a new numbered version loaded while
requests keep coming (none dropped; the old version serves until the new one
is ready, then is closed)."""

import shutil
import threading
import time

import httpx

from rnn_apps.serving import Limits
from rnn_apps.serving.config import ModelConfig
from rnn_apps.serving.models import ModelSet
from tests.serving.test_serve import TIMEOUT, serving


def running(models):
    return serving(models, models.limits)


def test_two_models_and_two_versions_in_one_server(fitted_sentiment, saved_sentiment,
                                                  saved_forecaster, tmp_path):
    base = tmp_path / "reviews"
    shutil.copytree(saved_sentiment, base / "1")
    fitted_sentiment.export(base / "2")
    configs = [ModelConfig("reviews", base, latest=0), ModelConfig("co2", saved_forecaster)]
    models = ModelSet(configs, Limits(), poll_s=0).load()
    expected = fitted_sentiment.predict(["a fine film"])[0]
    with running(models) as (url, _):
        status = httpx.get(f"{url}/v1/models/reviews", timeout=TIMEOUT).json()
        assert [row["version"] for row in status["model_version_status"]] == ["1", "2"]
        for path in ("reviews", "reviews/versions/1", "reviews/versions/2"):
            reply = httpx.post(f"{url}/v1/models/{path}:predict",
                               json={"instances": ["a fine film"]}, timeout=TIMEOUT)
            assert reply.json()["predictions"][0]["label"] == expected
        meta = httpx.get(f"{url}/v1/models/co2/metadata", timeout=TIMEOUT).json()
        assert meta["rnn_apps"]["task"] == "forecast"
        health = httpx.get(f"{url}/health", timeout=TIMEOUT).json()
        assert health["models"] == {"co2": {"task": "forecast", "versions": ["1"]},
                                    "reviews": {"task": "sentiment", "versions": ["1", "2"]}}
        missing = httpx.post(f"{url}/v1/models/reviews/versions/3:predict",
                             json={"instances": ["x"]}, timeout=TIMEOUT)
        assert missing.status_code == 404
        assert "serving 'co2' version(s) 1; 'reviews' version(s) 1, 2" in missing.json()["error"]


def test_a_new_version_is_picked_up_without_dropping_requests(fitted_sentiment, saved_sentiment,
                                                             tmp_path):
    base = tmp_path / "served"
    shutil.copytree(saved_sentiment, base / "1")  # a model directory: exported to scratch
    models = ModelSet([ModelConfig("reviews", base)], Limits(), poll_s=0.2).load()
    old = models.resolve("reviews").servable
    assert old._scratch is not None and old._scratch.exists()
    texts = ["a fine film", "dull and far too long", "I loved every minute"]
    expected = list(fitted_sentiment.predict(texts))
    replies, stop = [], threading.Event()

    def client(url):
        with httpx.Client(timeout=TIMEOUT) as session:
            while not stop.is_set() and len(replies) < 5000:
                reply = session.post(f"{url}/v1/models/reviews:predict",
                                     json={"instances": texts})
                replies.append((reply.status_code, reply.json()))

    with running(models) as (url, _):
        clients = [threading.Thread(target=client, args=(url,)) for _ in range(3)]
        for thread in clients:
            thread.start()
        try:
            time.sleep(0.5)
            before = len(replies)
            staging = tmp_path / "staging"  # written elsewhere, then renamed in at once
            shutil.copytree(saved_sentiment, staging)
            staging.rename(base / "2")
            deadline, versions = time.monotonic() + TIMEOUT, []
            while time.monotonic() < deadline:
                status = httpx.get(f"{url}/v1/models/reviews", timeout=TIMEOUT).json()
                versions = [row["version"] for row in status["model_version_status"]]
                if versions == ["2"]:
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            old_version = httpx.post(f"{url}/v1/models/reviews/versions/1:predict",
                                     json={"instances": texts}, timeout=TIMEOUT)
            assert old_version.status_code == 404
        finally:
            stop.set()
            for thread in clients:
                thread.join(TIMEOUT)
    assert versions == ["2"]
    assert before > 0 and len(replies) > before  # requests ran before, during and after
    assert all(status == 200 for status, _ in replies), {s for s, _ in replies}
    assert all([row["label"] for row in body["predictions"]] == expected for _, body in replies)
    assert old._scratch is None  # the retired version was closed, its export removed
