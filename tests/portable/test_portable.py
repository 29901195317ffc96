"""export_core: every task's numeric core as ONNX and TFLite, run with onnxruntime
and the LiteRT interpreter, against the Keras model and the Python API."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from rnn_apps import Forecaster, SentimentClassifier, Seq2SeqTranslator, Tagger, TextGenerator
from rnn_apps.errors import ModelDirError, RnnAppsError
from rnn_apps.portable import export_core
from tests.conftest import DATASETS, ROOT, read_csv, seasonal_series

FORMATS = ("onnx", "tflite")
TOLERANCE = 1e-4
# one epoch, no validation split (no evaluation graph to trace): cores of any weights will do
SMALL = {"units": 8, "embedding_dim": 8, "epochs": 1, "valid_split": 0.0, "seed": 0,
         "verbose": 0}


# -- the runtimes, used directly --------------------------------------------------------
def runtime(path):
    """``run(inputs) -> outputs`` with onnxruntime or the LiteRT interpreter; a TFLite
    core that takes a batch of one is run row by row."""
    if path.suffix == ".onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = [output.name for output in session.get_outputs()]
        return lambda inputs: dict(zip(names, session.run(names, inputs)))
    from ai_edge_litert.interpreter import Interpreter

    signature = Interpreter(model_path=str(path)).get_signature_runner("serving_default")
    details = signature.get_input_details()
    if not any(detail["shape_signature"][0] == 1 for detail in details.values()):
        return lambda inputs: signature(**inputs)

    def rows(inputs):
        n = len(next(iter(inputs.values())))
        parts = [signature(**{k: v[i:i + 1] for k, v in inputs.items()}) for i in range(n)]
        return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}

    return rows


def gap(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def manifest(directory):
    return json.loads((directory / "rnn_apps_core.json").read_text())


def preprocessing(directory):
    return json.loads((directory / "preprocessing.json").read_text())


def core_file(directory, name):
    return directory / manifest(directory)["cores"][name]["file"]


# -- tiny fitted models, one per task, and their exports ------------------------------------
@pytest.fixture(scope="module")
def texts():
    return read_csv(DATASETS / "sentiment" / "train.csv")


@pytest.fixture(scope="module")
def classifier(texts):
    return SentimentClassifier(cell="rnn", bidirectional=True, pooling="max", batch_size=32,
                               **SMALL).fit(texts[0][:120], texts[1][:120])


def sentences(n=40):
    people, places = ["Alice", "Bob", "Carol", "Dave"], ["Paris", "Rome", "Oslo"]
    words, tags = [], []
    for i in range(n):
        person, place = people[i % 4], places[i % 3]
        if i % 2:
            words.append([person, "went", "to", place, "today"])
            tags.append(["B-PER", "O", "O", "B-LOC", "O"])
        else:
            words.append(["we", "met", person, "in", place])
            tags.append(["O", "O", "B-PER", "O", "B-LOC"])
    return words, tags


@pytest.fixture(scope="module")
def tagger():
    return Tagger(cell="rnn", crf=True, char_filters=4, char_dim=4, **SMALL).fit(*sentences())


@pytest.fixture(scope="module")
def forecaster():
    return Forecaster(inputs="both", deseasonalize="additive", season=12, ensemble=1, units=8,
                      lookback=24, horizon=3, targets=[0], quantiles=[0.1, 0.9], epochs=1,
                      valid_split=0.0, seed=0, verbose=0).fit(seasonal_series(160))


@pytest.fixture(scope="module")
def generator():
    corpus = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:1500]
    return TextGenerator(cell="gru", layers=2, bptt=16, batch_size=8, **SMALL).fit(corpus)


def reversal(n, seed=0):
    """Four-letter strings and their reversals (one length: one training graph)."""
    rng = np.random.default_rng(seed)
    sources = ["".join(rng.choice(list("abcdef"), 4)) for _ in range(n)]
    return sources, [s[::-1] for s in sources]


@pytest.fixture(scope="module")
def translator():
    return Seq2SeqTranslator(cell="lstm", **SMALL).fit(*reversal(60))


@pytest.fixture(scope="module")
def exported(tmp_path_factory, request):
    """``exported(task fixture name, fmt)``: the core directory, written once."""
    done = {}

    def export(name, fmt):
        if (name, fmt) not in done:
            task = request.getfixturevalue(name)
            done[name, fmt] = export_core(task, tmp_path_factory.mktemp(name) / fmt, fmt)
        return done[name, fmt]

    return export


# -- sentiment ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_sentiment_core_gives_the_keras_probabilities(classifier, texts, exported, fmt):
    from rnn_apps.tasks.sentiment.portable import sentiment_core

    directory = exported("classifier", fmt)
    info = manifest(directory)
    assert info["task"] == "sentiment" and info["format"] == fmt
    assert sorted(p.name for p in directory.iterdir()) == [
        f"model.{fmt}", "preprocessing.json", "rnn_apps_core.json"]
    entry = info["cores"]["model"]
    assert entry["inputs"] == [{"name": "token_ids", "dtype": "int32",
                                "shape": [1 if fmt == "tflite" else None, None]}]
    assert entry["outputs"][0]["name"] == "probabilities" and entry["max_abs_difference"] < 1e-4
    ids = classifier.text_encoder_.encode(np.array(texts[0][:12], dtype=object))
    expected = np.asarray(classifier.model_(ids, training=False))
    in_tensorflow = sentiment_core(classifier, fmt).function(token_ids=ids)["probabilities"]
    assert gap(in_tensorflow, expected) < TOLERANCE
    run = runtime(directory / f"model.{fmt}")
    assert gap(run({"token_ids": ids})["probabilities"], expected) < TOLERANCE
    short = ids[:, :3]  # any number of steps
    assert gap(run({"token_ids": short})["probabilities"],
               classifier.model_(short, training=False)) < TOLERANCE


def load_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("onnx_sentiment",
                                                  ROOT / "docs" / "onnx_sentiment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ODD_TEXTS = ["What a GREAT film!!", "  slow,   clunky\tand\nbroken app... ", "ÉCLAIR été Ünïcode",
             "don't-stop_me [UNK] now", "a " * 40]


def test_sentiment_from_raw_text_with_json_and_onnxruntime_only(classifier, texts, exported):
    directory = exported("classifier", "onnx")
    script = load_script()
    sample = texts[0][:30] + ODD_TEXTS
    ids = script.encode(sample, preprocessing(directory))
    assert np.array_equal(ids, classifier.text_encoder_.encode(np.array(sample, dtype=object)))
    labels, probabilities, _ = script.classify(directory, sample)
    assert labels == list(classifier.predict(sample))
    assert gap(probabilities, classifier.predict_proba(sample)) < TOLERANCE


def test_onnx_sentiment_script_in_a_subprocess(classifier, exported):
    directory = exported("classifier", "onnx")
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "onnx_sentiment.py"),
                             str(directory), *ODD_TEXTS], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == list(classifier.predict(ODD_TEXTS))
    assert all(re.fullmatch(r"\S+(\t\S+=[01]\.\d{4}){2}", line) for line in lines)


# -- tagging ------------------------------------------------------------------------------
def viterbi(emissions, crf) -> list[int]:
    transitions, start, end = (np.asarray(crf[key]) for key in ("transitions", "start", "end"))
    score, pointers = start + emissions[0], []
    for emission in emissions[1:]:
        total = score[:, None] + transitions
        pointers.append(total.argmax(axis=0))
        score = total.max(axis=0) + emission
    best = [int((score + end).argmax())]
    for back in reversed(pointers):
        best.append(int(back[best[-1]]))
    return best[::-1]


def token_ids(batch, prep):
    """Word and character ids from preprocessing.json, in plain Python."""
    words, chars = prep["words"], prep["chars"]
    word_index = {w: i for i, w in enumerate(words["vocabulary"])}
    char_index = {c: i for i, c in enumerate(chars["vocabulary"])}
    length, width = max(map(len, batch)), chars["max_word_length"]
    word_ids = np.zeros((len(batch), length), np.int32)
    char_ids = np.zeros((len(batch), length, width), np.int32)
    for row, tokens in enumerate(batch):
        for column, token in enumerate(tokens):
            key = token.lower() if words["lowercase"] else token
            word_ids[row, column] = word_index.get(key, words["oov_id"])
            letters = [char_index.get(c, chars["oov_id"]) for c in token[:width]]
            char_ids[row, column, :len(letters)] = letters
    return word_ids, char_ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_tagging_core_and_viterbi_outside_give_the_predicted_tags(tagger, exported, fmt):
    from rnn_apps.preprocessing.tokens import pad_tokens
    from rnn_apps.tasks.tagging.portable import tagging_core

    directory = exported("tagger", fmt)
    prep = preprocessing(directory)
    batch = [*sentences(6)[0], ["hi"],
             ["Zoë", "visited", "Quito", "yesterday", "with", "Bob", "and", "extraordinarily",
              "many", "friends"]]
    word_ids, char_ids = token_ids(batch, prep)
    graph_words, graph_chars = tagger.encoder_.encode_graph(pad_tokens(batch).astype(str))
    assert np.array_equal(word_ids, graph_words) and np.array_equal(char_ids, graph_chars)
    expected = np.asarray(tagger.model_([word_ids, char_ids], training=False))
    inputs = {"word_ids": word_ids, "char_ids": char_ids}
    assert gap(tagging_core(tagger, fmt).function(**inputs)["emissions"], expected) < TOLERANCE
    emissions = runtime(directory / f"model.{fmt}")(inputs)["emissions"]
    assert gap(emissions, expected) < TOLERANCE
    tags = [[prep["tags"][i] for i in viterbi(scores[:len(tokens)], prep["crf"])]
            for scores, tokens in zip(emissions, batch)]
    assert tags == tagger.predict(batch)


@pytest.fixture(scope="module")
def frame_tagger():
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(rng.integers(3, 9), 2)).astype("float32") for _ in range(30)]
    tags = [["up" if frame[0] > 0 else "down" for frame in s] for s in sequences]
    return Tagger(cell="rnn", bidirectional=False, units=4, epochs=1, valid_split=0.0, seed=0,
                  verbose=0).fit(sequences, tags)


def test_frame_tagging_core_with_scaling_outside_gives_the_predicted_tags(frame_tagger,
                                                                          exported):
    fmt = "onnx"  # the frames network converts to TFLite alike; one format keeps this short
    directory = exported("frame_tagger", fmt)
    prep = preprocessing(directory)
    assert prep["kind"] == "frames" and "crf" not in prep
    rng = np.random.default_rng(5)
    sequences = [rng.normal(size=(n, 2)).astype("float32") for n in (4, 9, 1)]
    mean, std = np.array(prep["scaler"]["mean"]), np.array(prep["scaler"]["std"])
    frames = np.full((3, 9, 2), prep["padding_value"], np.float32)
    for row, sequence in enumerate(sequences):
        frames[row, :len(sequence)] = (sequence - mean) / std
    expected = np.asarray(frame_tagger.model_([frames], training=False))
    out = runtime(directory / f"model.{fmt}")({"frames": frames})["probabilities"]
    assert gap(out, expected) < TOLERANCE
    tags = [[prep["tags"][i] for i in row[:len(s)].argmax(axis=-1)]
            for row, s in zip(out, sequences)]
    assert tags == frame_tagger.predict(sequences)


# -- forecast -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_forecast_core_with_scaling_outside_gives_the_forecasts(forecaster, exported, fmt):
    from rnn_apps.tasks.forecast.portable import forecast_core

    directory = exported("forecaster", fmt)
    prep = preprocessing(directory)
    series = seasonal_series(200, seed=3)
    windows = np.stack([series[i:i + prep["lookback"]] for i in range(0, 150, 30)])
    mean, std = np.array(prep["scaler"]["mean"]), np.array(prep["scaler"]["std"])
    history = ((windows - mean) / std).astype(np.float32)
    expected = forecaster.model_(history, training=False)
    in_tensorflow = forecast_core(forecaster, fmt).function(history=history)
    out = runtime(directory / f"model.{fmt}")({"history": history})
    for key in ("forecast", "quantiles"):
        assert gap(in_tensorflow[key], expected[key]) < TOLERANCE
        assert gap(out[key], expected[key]) < TOLERANCE
    targets = prep["targets"]
    forecast = out["forecast"] * std[targets] + mean[targets]
    api = forecaster.predict(windows)
    assert np.max(np.abs(forecast - api) / (1 + np.abs(api))) < TOLERANCE


# -- textgen -------------------------------------------------------------------------------
def step_loop(run, ids, states, token_name, fixed=None):
    """Logits per step ``[batch, steps, vocab]`` and the final states."""
    logits = []
    for column in range(ids.shape[1]):
        out = run({token_name: ids[:, column:column + 1], **(fixed or {}), **states})
        logits.append(out["logits"])
        states = {name: out["next_" + name] for name in states}
    return np.stack(logits, axis=1), states


def zero_states(entry):
    return {i["name"]: np.zeros((1, i["shape"][1]), np.float32)
            for i in entry["inputs"] if i["name"].startswith("state_")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_textgen_step_in_a_loop_reproduces_the_model_and_greedy_generation(generator, exported,
                                                                            fmt):
    directory = exported("generator", fmt)
    entry, prep = manifest(directory)["cores"]["step"], preprocessing(directory)
    assert entry["inputs"][0] == {"name": "char_id", "dtype": "int32", "shape": [None, 1]}
    run = runtime(directory / f"step.{fmt}")
    prompt = "the sea "
    index = {c: i for i, c in enumerate(prep["vocabulary"])}
    ids = np.array([[index.get(c, prep["oov_id"]) for c in prompt]], np.int32)
    assert np.array_equal(ids[0], generator.vocabulary_.encode(prompt))
    states = zero_states(entry)
    full = generator.model_([ids, *states.values()], training=False)
    logits, final = step_loop(run, ids, states, "char_id")
    assert gap(logits, full[0]) < TOLERANCE
    assert all(gap(final[name], value) < TOLERANCE for name, value in zip(states, full[1:]))
    written, last, states = [], logits[:, -1], final
    for _ in range(12):  # greedy: padding and unknown are never picked
        last = np.array(last, copy=True)
        last[:, [prep["padding_id"], prep["oov_id"]]] = -1e9
        written.append(int(last.argmax()))
        step, states = step_loop(run, np.array([[written[-1]]], np.int32), states, "char_id")
        last = step[:, 0]
    text = prompt + "".join(prep["vocabulary"][i] for i in written)
    assert text == generator.generate(prompt, length=12, temperature=0)


# -- seq2seq -------------------------------------------------------------------------------
def source_ids(texts, side):
    index = {t: i for i, t in enumerate(side["vocabulary"])}
    ids = np.zeros((len(texts), max(len(t) for t in texts)), np.int32)
    for row, text in enumerate(texts):  # character level, as this translator was trained
        found = [index.get(c, side["oov_id"]) for c in text][:side["max_length"]]
        ids[row, :len(found)] = found
    return ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_seq2seq_encoder_and_decoder_step_reproduce_the_model_and_greedy_decoding(
        translator, exported, fmt):
    directory = exported("translator", fmt)
    cores, prep = manifest(directory)["cores"], preprocessing(directory)
    encoder = runtime(core_file(directory, "encoder"))
    step = runtime(core_file(directory, "decoder_step"))
    sources = ["abc", "fedc", "aab"]
    ids = source_ids(sources, prep["source"])
    encoded = encoder({"source_ids": ids})
    trained_encoder = translator.model_.get_layer("encoder")
    reference = [np.asarray(t) for t in trained_encoder(ids, training=False)]
    assert gap(encoded["encoder_outputs"], reference[0]) < TOLERANCE
    names = [i["name"] for i in cores["decoder_step"]["inputs"] if i["name"].startswith("state_")]
    for name, value in zip(names, reference[1:]):
        assert gap(encoded[name], value) < TOLERANCE
    target = prep["target"]
    teacher = np.array([[target["start_id"], 5, 4, 6, 4]] * len(sources), np.int32)
    full = translator.model_.get_layer("decoder")(
        [teacher, reference[0], ids, *reference[1:]], training=False)
    fixed = {"encoder_outputs": encoded["encoder_outputs"], "source_ids": ids}
    logits, _ = step_loop(step, teacher, {n: encoded[n] for n in names}, "previous_id", fixed)
    assert gap(logits, full["logits"]) < TOLERANCE
    outputs = []
    for row in range(len(sources)):  # greedy decoding, one source at a time
        states = {n: encoded[n][row:row + 1] for n in names}
        one = {"encoder_outputs": fixed["encoder_outputs"][row:row + 1],
               "source_ids": ids[row:row + 1]}
        token, written = target["start_id"], []
        for _ in range(target["max_length"]):
            out = step({"previous_id": np.array([[token]], np.int32), **one, **states})
            scores = np.array(out["logits"][0], copy=True)
            scores[prep["decoding"]["never_written"]] = -1e9
            token = int(scores.argmax())
            if token == target["end_id"]:
                break
            written.append(token)
            states = {n: out["next_" + n] for n in names}
        outputs.append(target["separator"].join(target["vocabulary"][i] for i in written))
    assert outputs == translator.predict(sources, beam_width=1)


# -- errors, directories, dependencies, the command line ----------------------------------------
def test_an_esn_model_is_refused_in_one_line_and_nothing_is_written(tmp_path):
    model = Forecaster(cell="esn", readout="ridge", units=8, lookback=8, horizon=1, ensemble=1,
                       inputs="relative", deseasonalize="none", seed=0,
                       verbose=0).fit(seasonal_series(60))
    for fmt in FORMATS:
        with pytest.raises(RnnAppsError) as error:
            export_core(model, tmp_path / "core", fmt)
        message = str(error.value)
        assert "esn" in message and "\n" not in message
    assert not (tmp_path / "core").exists() and list(tmp_path.iterdir()) == []


def test_bad_format_and_unfitted_task_are_one_line_errors(tmp_path):
    with pytest.raises(RnnAppsError, match="format must be one of onnx, tflite"):
        export_core(SentimentClassifier(), tmp_path / "core", "savedmodel")
    with pytest.raises(RnnAppsError, match="not fitted"):
        export_core(SentimentClassifier(), tmp_path / "core", "onnx")


def test_a_missing_runtime_names_the_extra_to_install(classifier, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(RnnAppsError, match=re.escape("pip install 'rnn-apps[onnx]'")):
        export_core(classifier, tmp_path / "core", "onnx")
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    with pytest.raises(RnnAppsError, match=re.escape("pip install 'rnn-apps[tflite]'")):
        export_core(classifier, tmp_path / "core", "tflite")
    assert not (tmp_path / "core").exists()


def test_only_an_empty_directory_or_an_earlier_core_is_written_over(classifier, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ModelDirError, match="not an rnn-apps exported core"):
        export_core(classifier, other, "onnx")
    assert (other / "notes.txt").read_text() == "keep me"
    savedmodel = tmp_path / "savedmodel"  # what the checks know a SavedModel export by
    savedmodel.mkdir()
    (savedmodel / "saved_model.pb").write_bytes(b"")
    (savedmodel / "rnn_apps_export.json").write_text('{"task": "sentiment"}')
    with pytest.raises(ModelDirError, match="not an rnn-apps exported core"):
        export_core(classifier, savedmodel, "onnx")
    assert sorted(p.name for p in savedmodel.iterdir()) == ["rnn_apps_export.json",
                                                            "saved_model.pb"]


def test_cli_export_format_onnx_replaces_an_earlier_core(classifier, exported, tmp_path):
    import shutil

    from click.testing import CliRunner

    from rnn_apps.cli import cli

    model = classifier.save(tmp_path / "model")
    written = tmp_path / "core" / "2"
    shutil.copytree(exported("classifier", "tflite"), written)  # an earlier export
    result = CliRunner().invoke(cli, ["sentiment", "export", "--model", str(model), "--out",
                                      str(tmp_path / "core"), "--format", "onnx", "--version",
                                      "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        f"exported onnx core to {written}: model.onnx, preprocessing.json, rnn_apps_core.json"]
    assert sorted(p.name for p in written.iterdir()) == [
        "model.onnx", "preprocessing.json", "rnn_apps_core.json"]
    labels, _, _ = load_script().classify(tmp_path / "core" / "2", ODD_TEXTS)
    assert labels == list(classifier.predict(ODD_TEXTS))


def test_rebuilt_layers_never_ask_for_cudnn(translator):
    import keras

    from rnn_apps.portable.rebuild import layers_of, rebuild

    copy = rebuild(translator.model_)
    recurrent = [layer for layer in layers_of(copy)
                 if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU))]
    assert len(recurrent) == 3  # both directions of the encoder, the decoder
    assert all(layer.use_cudnn is False for layer in recurrent)
