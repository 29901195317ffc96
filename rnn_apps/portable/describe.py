"""``preprocessing.json``: everything outside a converted core, in plain JSON.

What turns raw input into the core's inputs (vocabularies with their ids,
how text is standardised and split, scaling) and its outputs into an answer
(class, tag and character names, CRF transitions, scaling back), written so
that a program without TensorFlow can follow it exactly.
"""

from __future__ import annotations

import numpy as np

STRIP_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras' TextVectorization
ASCII_WHITESPACE = " \t\n\u000b\f\r"
IDS = {"padding_id": 0, "oov_id": 1}


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def sentiment(task, fmt: str) -> dict:
    encoder = task.text_encoder_
    lower = encoder.standardize in ("lower", "lower_and_strip_punctuation")
    strip = encoder.standardize in ("strip_punctuation", "lower_and_strip_punctuation")
    steps = []
    if lower:
        steps.append({"op": "lowercase_ascii",
                      "about": "A-Z become a-z; no other character changes"})
    if strip:
        steps.append({"op": "remove_regex", "pattern": STRIP_PUNCTUATION,
                      "about": "every match is deleted (ASCII punctuation)"})
    if encoder.level == "word":
        steps.append({"op": "split_whitespace", "characters": ASCII_WHITESPACE,
                      "about": "split on runs of these ASCII whitespace characters only; "
                               "empty pieces are dropped"})
    else:
        steps.append({"op": "split_characters", "about": "one token per Unicode code point"})
    return {
        "input": "text",
        "standardize": encoder.standardize, "level": encoder.level,
        "steps": steps,
        "vocabulary": list(encoder.vocabulary), **IDS,
        "lookup": "a token's id is its index in vocabulary; a token not in it gets oov_id",
        "max_length": encoder.max_length, "truncating": encoder.truncating,
        "length": ("keep the first max_length ids (truncating 'post') or the last "
                   "(truncating 'pre'), then right-pad with padding_id to max_length"),
        "classes": [_plain(c) for c in task.classes_],
        "output": "probabilities[i] is the probability of classes[i]; the label is the argmax",
    }


def tagging(task, fmt: str) -> dict:
    from rnn_apps.tasks.tagging.network import CRF_LAYER, FRAME_PAD

    state, layers = task.state_, [layer.name for layer in task.model_.layers]
    out = {"kind": state["kind"], "tags": list(task.tags_)}
    if state["kind"] == "frames":
        out.update(input="frames [time, features] per sequence",
                   scaler={"mean": task.scaler_.mean.tolist(), "std": task.scaler_.std.tolist()},
                   scaling="(value - mean) / std per feature",
                   padding_value=FRAME_PAD,
                   padding=f"steps after a sequence's end hold {FRAME_PAD:g} in every feature",
                   feature_names=state.get("feature_names"))
    else:
        encoder = task.encoder_
        out.update(
            input="tokens (a list of strings per sentence)",
            words={"vocabulary": ["", "[UNK]", *encoder.words], **IDS,
                   "lowercase": encoder.lowercase,
                   "lookup": "id of the token (Unicode-lowercased first when lowercase is "
                             "true) in vocabulary, oov_id when absent; padding steps get "
                             "padding_id"},
            chars={"vocabulary": ["", "[UNK]", *encoder.chars], **IDS,
                   "max_word_length": encoder.max_word_length,
                   "lookup": "ids of the token's first max_word_length Unicode code points "
                             "(case kept), right-padded with padding_id"},
            char_features=bool(task.char_filters))
    if CRF_LAYER in layers:
        transitions, start, end = task.model_.get_layer(CRF_LAYER).get_weights()
        out["crf"] = {
            "transitions": transitions.tolist(), "start": start.tolist(), "end": end.tolist(),
            "about": ("score of tags y_1..y_n = start[y_1] + sum emissions[t][y_t] + sum "
                      "transitions[y_t][y_t+1] + end[y_n] over a sequence's real steps; "
                      "Viterbi gives the best sequence")}
        out["output"] = "emissions [time, tags]; decode with the crf scores"
    else:
        out["output"] = "probabilities [time, tags]; the tag of a step is the argmax"
    return out


def forecast(task, fmt: str) -> dict:
    state, scaler = task.state_, task.scaler_
    columns, targets = list(task.columns_), list(task.targets_)
    future = list(state.get("future_columns", []))
    out = {
        "columns": columns, "targets": targets,
        "target_names": [columns[t] for t in targets],
        "lookback": task.lookback_, "horizon": task.horizon,
        "scaler": {"mean": scaler.mean.tolist(), "std": scaler.std.tolist()},
        "history": "the last lookback rows [lookback, columns], each column scaled as "
                   "(value - mean[c]) / std[c]",
        "output": "forecast[h][k] * std[targets[k]] + mean[targets[k]] in original units",
        "quantiles": list(task.quantiles_),
        "in_graph": {"inputs": state.get("inputs"),
                     "deseasonalize": (state.get("decomposition") or {}).get("mode", "none"),
                     "season": task.season_,
                     "window_scaling": state.get("scaling") == "window",
                     "about": "done inside the core; nothing to do outside"},
    }
    if out["quantiles"]:
        out["output_quantiles"] = ("quantiles[h][k][q] * std[targets[k]] + mean[targets[k]], "
                                   "q indexing the quantile levels")
    if future:
        out["future_columns"] = future
        out["future"] = ("the future_columns' values at the horizon steps [horizon, "
                         "len(future_columns)], scaled with their own mean and std")
    if state.get("calendar"):
        out["calendar"] = list(state["calendar"])
        out["future_time"] = "epoch seconds (UTC, int64) of each forecast step [horizon]"
        out["calendar_features"] = {
            "input": "calendar_features" if fmt == "tflite" else "none: the core takes "
                     "future_time and computes them itself",
            "about": ("per forecast step, for each kind in calendar in order: sin(2 pi "
                      "phase), cos(2 pi phase), with days = floor(seconds / 86400) and "
                      "phase hour = (seconds - 86400 days) / 86400, weekday = ((days + 3) "
                      "mod 7) / 7, month = (UTC calendar month - 1) / 12"),
            "shape": [task.horizon, 2 * len(state["calendar"])]}
    return out


def textgen(task, fmt: str) -> dict:
    return {
        "chars": list(task.vocabulary_.chars),
        "vocabulary": ["", "\ufffd", *task.vocabulary_.chars], **IDS,
        "lookup": "a character's id is its index in vocabulary (one per Unicode code point); "
                  "characters not in it get oov_id",
        "generation": ("start from zero states; feed the prompt's ids one at a time; the "
                       "logits after the last prompt character give the next one; never "
                       "pick padding_id or oov_id; temperature divides the logits before "
                       "sampling (0: argmax); feed each picked id back"),
    }


def seq2seq(task, fmt: str) -> dict:
    from rnn_apps.preprocessing.sequences import END_ID, JOIN_RULES, START_ID

    def side(vocabulary) -> dict:
        split = ("one token per Unicode code point" if vocabulary.level == "char" else
                 "put a space on both sides of every Unicode punctuation character (general "
                 "category P*), then split on runs of ASCII whitespace")
        return {"vocabulary": ["", "[UNK]", *vocabulary.reserved, *vocabulary.tokens], **IDS,
                "level": vocabulary.level, "lowercase": vocabulary.lowercase,
                "split": split, "separator": vocabulary.separator}

    target = side(task.target_vocab_)
    if task.target_level == "word":
        # the rules the SavedModel joins words with, applied in order after joining
        target["join_rules"] = [{"pattern": p, "replacement": r} for p, r in JOIN_RULES]
        target["join_rules_about"] = ("regular expression replacements (RE2 syntax, where "
                                      "\\d and \\w match ASCII only: Python's re.sub "
                                      "with flags=re.ASCII does the same)")
    return {
        "source": {**side(task.source_vocab_),
                   "max_length": task.state_["max_source_length"],
                   "encode": "ids of the first max_length tokens (Unicode-lowercased first "
                             "when lowercase is true), right-padded with padding_id"},
        "target": {**target, "start_id": START_ID, "end_id": END_ID,
                   "max_length": task.state_["max_target_length"] + 1},
        "decoding": {"beam_width": task.beam_width, "length_penalty": task.length_penalty,
                     "never_written": [0, 1, START_ID],
                     "about": ("run the encoder; start the decoder step from previous_id = "
                               "start_id and the encoder's state_* outputs (with attention "
                               "also its encoder_outputs and the source_ids); each step's "
                               "log_softmax(logits) extends the hypotheses; stop at end_id "
                               "or max_length; rank by sum of log probabilities / length ** "
                               "length_penalty; join the tokens with the separator")},
    }


DESCRIBE = {"sentiment": sentiment, "tagging": tagging, "forecast": forecast,
            "textgen": textgen, "seq2seq": seq2seq}
