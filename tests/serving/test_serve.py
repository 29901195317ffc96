"""rnn-apps serve: every task answers as its Python API, 200 concurrent requests
from 32 clients, every bad request gets its 4xx and the server keeps serving.

Servers bind 127.0.0.1 on a free port, run in a thread of the test process
(or, for the CLI, a child process stopped by its pid), and every client call
has a timeout.
"""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import numpy as np
import pytest

from rnn_apps import Seq2SeqTranslator, Tagger, TextGenerator
from rnn_apps.serving import Limits, create_app, load_servable
from rnn_apps.serving.server import make_server
from tests.conftest import DATASETS
from tests.tasks.test_seq2seq import SMALL, reversal
from tests.tasks.test_tagging import corpus, frames

TIMEOUT = 60


@contextlib.contextmanager
def running(model_dir, limits=None, name=None):
    """A server for ``model_dir`` in a thread; yields ``(base url, app)``."""
    servable = load_servable(model_dir, name=name, limits=limits)
    try:
        with serving(servable, limits) as (url, app):
            yield url, app
    finally:
        servable.close()


@contextlib.contextmanager
def serving(models, limits=None):
    """The CLI's server for a servable or a ``ModelSet``, in a thread; yields
    ``(base url, app)`` and stops it (the models closed) on the way out."""
    app = create_app(models, limits)
    server = make_server(app, limits or Limits(), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        app.state.models.close()
    assert not thread.is_alive()


def predict(url, name, body, **kwargs):
    return httpx.post(f"{url}/v1/models/{name}:predict", json=body, timeout=TIMEOUT, **kwargs)


@pytest.fixture(scope="module")
def sentiment_export(fitted_sentiment, tmp_path_factory):
    return fitted_sentiment.export(tmp_path_factory.mktemp("serve") / "sentiment" / "1")


def test_sentiment_answers_as_the_api_in_both_formats(fitted_sentiment, sentiment_test,
                                                     sentiment_export):
    texts = sentiment_test[0][:8]
    labels = list(fitted_sentiment.predict(texts))
    probabilities = fitted_sentiment.predict_proba(texts)
    with running(sentiment_export.parent, name="reviews") as (url, _):
        rows = predict(url, "reviews", {"instances": texts}).json()["predictions"]
        assert [row["label"] for row in rows] == labels
        np.testing.assert_allclose([row["probabilities"] for row in rows], probabilities,
                                   atol=1e-5)
        columns = predict(url, "reviews", {"inputs": {"text": texts[:3]}}).json()["outputs"]
        assert columns["label"] == labels[:3]
        assert predict(url, "reviews", {"instances": [{"text": texts[0]}]}).json()[
            "predictions"][0]["label"] == labels[0]
        versioned = httpx.post(f"{url}/v1/models/reviews/versions/1:predict",
                               json={"instances": texts[:1]}, timeout=TIMEOUT)
        assert versioned.json()["predictions"][0]["label"] == labels[0]
        status = httpx.get(f"{url}/v1/models/reviews", timeout=TIMEOUT).json()
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        meta = httpx.get(f"{url}/v1/models/reviews/metadata", timeout=TIMEOUT).json()
        assert meta["model_spec"] == {"name": "reviews", "signature_name": "", "version": "1"}
        signature = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
        assert signature["inputs"]["text"]["dtype"] == "DT_STRING"
        assert meta["rnn_apps"]["task"] == "sentiment"
        assert meta["rnn_apps"]["params"]["units"] == fitted_sentiment.units
        assert "accuracy" in meta["rnn_apps"]["training_metrics"]
        assert httpx.get(f"{url}/health", timeout=TIMEOUT).json()["status"] == "ok"
        assert httpx.get(f"{url}/docs", timeout=TIMEOUT).status_code == 200


def test_two_hundred_concurrent_requests_from_32_clients(fitted_sentiment, sentiment_test,
                                                          sentiment_export):
    texts = sentiment_test[0][:50]
    expected = dict(zip(texts, fitted_sentiment.predict(texts)))

    async def load(url):
        queue = asyncio.Queue()
        for index in range(200):
            queue.put_nowait(texts[index % len(texts)])
        answers = []

        async def client():
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                while not queue.empty():
                    text = queue.get_nowait()
                    reply = await http.post(f"{url}/v1/models/sentiment:predict",
                                            json={"instances": [text]})
                    answers.append((text, reply.status_code, reply.json()))

        await asyncio.wait_for(asyncio.gather(*(client() for _ in range(32))), TIMEOUT * 2)
        return answers

    with running(sentiment_export) as (url, app):
        answers = asyncio.run(load(url))
        batches = app.state.models.resolve("sentiment").batcher.batches
    assert len(answers) == 200
    assert all(status == 200 for _, status, _ in answers)
    assert all(body["predictions"][0]["label"] == expected[text] for text, _, body in answers)
    assert batches < 200  # requests arriving together ran as shared batches


BAD = [
    (b"{not json", 400, "not valid JSON"),
    (b'{"instances": [NaN]}', 400, "NaN is not valid JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (b'{"instances": ["fine"], "temperature": 2}', 400, "unknown field 'temperature'"),
    (b'{"instance": ["fine"]}', 400, "exactly one of"),
    (b'{"instances": [42]}', 400, "must be a string"),
    (b'{"instances": [{"txt": "fine"}]}', 400, "'text'"),
    (b'{"instances": ["   "]}', 400, "text is empty"),
    (b'{"instances": []}', 400, "non-empty list"),
    (b'{"instances": ["' + b"x" * 300 + b'"]}', 413, "characters; the limit is 200"),
    (b'{"instances": [' + b'"a",' * 20 + b'"a"]}', 413, "limit is 20"),
    (b'{"instances": ["' + b"y" * 5000 + b'"]}', 413, "larger than 4096 bytes"),
    (b'{"instances": ["a\\u0000b"]}', 400, "NUL"),
    (b'{"instances": ["fine"], "signature_name": "other"}', 400, "signature_name"),
]


def test_bad_requests_get_their_4xx_and_the_server_keeps_serving(fitted_sentiment,
                                                                 sentiment_export):
    limits = Limits(max_body_bytes=4096, max_instances=20, max_text_chars=200)
    with running(sentiment_export, limits) as (url, _):
        endpoint = f"{url}/v1/models/sentiment:predict"
        for body, status, message in BAD:
            reply = httpx.post(endpoint, content=body, timeout=TIMEOUT,
                               headers={"content-type": "application/json"})
            assert reply.status_code == status, (body[:60], reply.text)
            assert message in reply.json()["error"], reply.json()
            assert "\n" not in reply.json()["error"] and "Traceback" not in reply.text
        for path, status in (("/v1/models/other:predict", 404),
                             ("/v1/models/sentiment:classify", 404)):
            assert httpx.post(url + path, json={"instances": ["x"]},
                              timeout=TIMEOUT).status_code == status
        assert httpx.get(f"{url}/v1/models/other", timeout=TIMEOUT).status_code == 404
        assert httpx.get(f"{url}/nowhere", timeout=TIMEOUT).json() == {"error": "Not Found"}
        reply = predict(url, "sentiment", {"instances": ["a fine film"]})
        assert reply.status_code == 200
        assert reply.json()["predictions"][0]["label"] == fitted_sentiment.predict(
            ["a fine film"])[0]


def test_tagging_tokens_and_frames_answer_as_the_api(tmp_path):
    sentences, tags = corpus(40)
    tokens_model = Tagger(units=8, embedding_dim=8, char_filters=4, epochs=2, seed=0,
                          verbose=0).fit(sentences, tags).save(tmp_path / "tokens")
    sequences, frame_tags = frames(40)
    frames_model = Tagger(units=8, epochs=2, seed=0, verbose=0).fit(sequences, frame_tags)
    frames_model.save(tmp_path / "frames")
    import rnn_apps

    tagger = rnn_apps.load(tokens_model)
    sample = [["Alice", "went", "to", "Rome"], ["we", "met", "Zed"]]
    with running(tmp_path / "tokens") as (url, _):
        rows = predict(url, "tagging", {"instances": [*sample, "Bob went home"]})
        assert rows.json()["predictions"] == tagger.predict(
            [*sample, ["Bob", "went", "home"]])
        assert predict(url, "tagging", {"instances": [[]]}).status_code == 400
    with running(tmp_path / "frames") as (url, _):
        batch = [s.tolist() for s in sequences[:3]]
        rows = predict(url, "tagging", {"instances": batch}).json()["predictions"]
        assert rows == frames_model.predict(sequences[:3])
        bad = predict(url, "tagging", {"instances": [[[1.0, 2.0, 3.0]]]})
        assert bad.status_code == 400 and "2 number(s)" in bad.json()["error"]


def test_seq2seq_beam_width_passes_as_an_extra_field(tmp_path):
    model = Seq2SeqTranslator(epochs=2, learning_rate=0.01, **SMALL).fit(*reversal(200))
    model.save(tmp_path / "model")
    sources = ["abc", "fedc", "aab"]
    with running(tmp_path / "model", name="reverse") as (url, _):
        default = predict(url, "reverse", {"instances": sources}).json()["predictions"]
        assert default == model.predict(sources)
        greedy = predict(url, "reverse", {"instances": sources, "beam_width": 1,
                                          "max_length": 3}).json()["predictions"]
        assert greedy == model.predict(sources, beam_width=1, max_length=3)
        bad = predict(url, "reverse", {"instances": sources, "beam_width": 0})
        assert bad.status_code == 400 and "beam_width" in bad.json()["error"]
        too_long = predict(url, "reverse", {"instances": sources, "max_length": 10**6})
        assert too_long.status_code == 400


def test_textgen_options_and_seeded_samples_match_the_api(tmp_path):
    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:2000]
    model = TextGenerator(cell="gru", units=8, embedding_dim=8, bptt=16, batch_size=4,
                          epochs=1, seed=0, verbose=0).fit(text)
    model.save(tmp_path / "lm")
    prompt = text[:12]
    with running(tmp_path / "lm", Limits(max_generation_length=50)) as (url, _):
        seeded = predict(url, "textgen", {"instances": [prompt], "length": 20,
                                          "temperature": 0.8, "top_k": 5, "seed": 7})
        assert seeded.json()["predictions"] == [
            model.generate(prompt, length=20, temperature=0.8, top_k=5, seed=7)]
        greedy = predict(url, "textgen", {"instances": [prompt, text[40:50]], "length": 10,
                                          "temperature": 0})
        assert greedy.json()["predictions"] == model.generate([prompt, text[40:50]],
                                                              length=10, temperature=0)
        too_long = predict(url, "textgen", {"instances": [prompt], "length": 51})
        assert too_long.status_code == 400 and "length" in too_long.json()["error"]


def test_forecast_history_and_quantiles(saved_forecaster):
    import rnn_apps

    model = rnn_apps.load(saved_forecaster)
    rng = np.random.default_rng(0)
    windows = (10 + rng.normal(size=(3, 20, 2))).astype("float32")
    with running(saved_forecaster) as (url, _):
        reply = predict(url, "forecast", {"instances": windows.tolist(), "quantiles": True})
        rows = reply.json()["predictions"]
        np.testing.assert_allclose([row["forecast"] for row in rows],
                                   model.predict(windows[:, -14:]), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose([row["quantiles"] for row in rows],
                                   model.predict_quantiles(windows[:, -14:]),
                                   rtol=1e-5, atol=1e-5)
        plain = predict(url, "forecast", {"instances": windows.tolist()[:1],
                                          "quantiles": False}).json()["predictions"]
        np.testing.assert_allclose(plain, model.predict(windows[:1, -14:]), rtol=1e-5,
                                   atol=1e-5)
        for history, message in (([[1.0, 2.0]] * 5, "reads the last 14"),
                                 ([[1.0, float("nan")]] * 14, "NaN"),
                                 ([[1e39, 1.0]] * 14, "too large")):
            body = json.dumps({"instances": [history]}).encode()
            bad = httpx.post(f"{url}/v1/models/forecast:predict", content=body,
                             timeout=TIMEOUT)
            assert bad.status_code == 400 and message in bad.json()["error"], bad.text


def children(pid: int) -> list[int]:
    """The child processes of ``pid``."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            found += [int(child) for child in listed.read().split()]
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_serves_a_versioned_base_directory(saved_sentiment, fitted_sentiment, tmp_path):
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    base = tmp_path / "served"
    for version in ("1", "2"):
        result = CliRunner().invoke(cli, ["sentiment", "export", "--model",
                                          str(saved_sentiment), "--out", str(base),
                                          "--version", version])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    server = subprocess.Popen([sys.executable, "-m", "rnn_apps", "serve", "--model", str(base),
                               "--port", str(port), "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline, reply = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/v1/models/sentiment", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert reply is not None, server.stderr.read().decode()[-2000:]
        assert reply.json()["model_version_status"][0]["version"] == "2"
        answer = predict(f"http://127.0.0.1:{port}", "sentiment", {"instances": ["great"]})
        assert answer.json()["predictions"][0]["label"] == fitted_sentiment.predict(
            ["great"])[0]
        pids = children(server.pid)
        server.terminate()  # one SIGTERM stops the supervisor and every worker
        assert server.wait(timeout=60) == 0
        assert len(pids) == 2 and "stopped (SIGTERM)" in server.stderr.read().decode()
        assert not any(os.path.exists(f"/proc/{pid}") for pid in pids)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


def test_serve_refuses_what_it_cannot_serve(tmp_path):
    from click.testing import CliRunner

    from rnn_apps.cli import cli

    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["serve", "--model", str(tmp_path / "empty")])
    assert result.exit_code != 0
    assert "neither an rnn-apps model directory" in result.output.strip().splitlines()[-1]
    result = CliRunner().invoke(cli, ["serve", "--model", str(tmp_path / "absent")])
    assert result.exit_code != 0 and "does not exist" in result.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--model", str(tmp_path / "empty"),
                                          "--port", str(port)])
    assert result.exit_code != 0
    assert result.output.strip() == f"Error: cannot listen on 127.0.0.1:{port}: " \
                                    "Address already in use"
