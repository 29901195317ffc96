"""Classify texts with an exported sentiment core, without TensorFlow or rnn-apps.

    python docs/onnx_sentiment.py CORE_DIR "some text" ["another text" ...]

CORE_DIR is what ``rnn-apps sentiment export --format onnx`` (or
``rnn_apps.portable.export_core(model, CORE_DIR, "onnx")``) wrote. For each
text this prints the label, then the probability of every class, tab-separated.
Needs only numpy and onnxruntime: the text is turned into token ids by
following ``preprocessing.json`` step by step.
"""

import json
import re
import sys

import numpy as np
import onnxruntime

ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def tokens(text, steps):
    """The tokens of one text after the standardisation and split steps."""
    for step in steps:
        if step["op"] == "lowercase_ascii":
            text = text.translate(ASCII_LOWER)
        elif step["op"] == "remove_regex":
            text = re.sub(step["pattern"], "", text)
        elif step["op"] == "split_whitespace":
            spaces = "[" + re.escape(step["characters"]) + "]+"
            return [piece for piece in re.split(spaces, text) if piece]
        elif step["op"] == "split_characters":
            return list(text)
        else:
            raise SystemExit(f"error: unknown preprocessing step {step['op']!r}")
    raise SystemExit("error: preprocessing.json has no split step")


def encode(texts, preprocessing):
    """Token ids ``[len(texts), max_length]`` (int32), right-padded."""
    index = {token: i for i, token in enumerate(preprocessing["vocabulary"])}
    length, oov = preprocessing["max_length"], preprocessing["oov_id"]
    ids = np.full((len(texts), length), preprocessing["padding_id"], dtype=np.int32)
    for row, text in enumerate(texts):
        found = [index.get(token, oov) for token in tokens(text, preprocessing["steps"])]
        found = found[:length] if preprocessing["truncating"] == "post" else found[-length:]
        ids[row, :len(found)] = found
    return ids


def classify(directory, texts):
    """``(labels, probabilities [n, classes], classes)`` for a list of texts."""
    manifest = read_json(f"{directory}/rnn_apps_core.json")
    if manifest.get("task") != "sentiment" or manifest.get("format") != "onnx":
        raise SystemExit(f"error: {directory} is not an ONNX sentiment core")
    preprocessing = read_json(f"{directory}/{manifest['preprocessing']}")
    core = manifest["cores"]["model"]
    session = onnxruntime.InferenceSession(f"{directory}/{core['file']}",
                                           providers=["CPUExecutionProvider"])
    ids = encode(texts, preprocessing)
    (probabilities,) = session.run(["probabilities"], {core["inputs"][0]["name"]: ids})
    classes = preprocessing["classes"]
    return [classes[i] for i in probabilities.argmax(axis=1)], probabilities, classes


def main(argv):
    if len(argv) < 2:
        raise SystemExit("usage: python docs/onnx_sentiment.py CORE_DIR TEXT [TEXT ...]")
    labels, probabilities, classes = classify(argv[0], argv[1:])
    for label, row in zip(labels, probabilities):
        scores = "\t".join(f"{name}={p:.4f}" for name, p in zip(classes, row))
        print(f"{label}\t{scores}")


if __name__ == "__main__":
    main(sys.argv[1:])
