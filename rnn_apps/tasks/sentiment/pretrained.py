"""A sentiment classifier that starts from a pretrained language model
(``init_from_lm``), fine-tuned the ULMFiT way (:mod:`rnn_apps.core.finetune`).

The classifier takes the language model's vocabulary (its level and split),
embedding and recurrent layers, so its cell, units, layers and embedding size
are the model's; a new head (pooling and softmax) goes on top. Training runs
the groups head, top recurrent layer ... bottom layer, embedding with
gradual unfreezing, discriminative rates and a slanted triangular schedule.
"""

from __future__ import annotations

import math

from rnn_apps.core import language_model as lm_tools
from rnn_apps.core.config import RecurrentConfig
from rnn_apps.errors import RnnAppsError


def check_settings(task) -> None:
    """One-line errors for settings that cannot go with ``init_from_lm``."""
    if task.init_from_lm is None:
        return
    if task.embeddings is not None:
        raise RnnAppsError("init_from_lm and embeddings both give the embedding; pick one")
    if task.bidirectional:
        raise RnnAppsError("init_from_lm starts from a left-to-right language model; "
                           "set bidirectional=False")


def adopt(task, prior):
    """The language model ``task.init_from_lm`` names, its network settings
    taken into ``task`` (a note says which changed) and ``task.config_`` rebuilt."""
    from rnn_apps.core.training import note

    if prior:
        raise RnnAppsError("init_from_lm and warm_start cannot go together: a warm start "
                           "already brings its own vocabulary and weights")
    lm = lm_tools.load_language_model(task.init_from_lm)
    settings = {**lm_tools.adopted_settings(lm), "level": lm_tools.level_of(lm)}
    changed = [f"{name}={value!r}" for name, value in settings.items()
               if getattr(task, name) != value]
    if changed:
        note("from the language model: " + ", ".join(changed))
    for name, value in settings.items():
        setattr(task, name, value)
    task.config_ = RecurrentConfig.from_params(task, checked=True)
    return lm


def text_encoder(task, lm, texts):
    """A text encoder that splits ``texts`` into the language model's tokens."""
    from rnn_apps.preprocessing.text import TextEncoder

    return TextEncoder.from_vocabulary(texts, **lm_tools.text_settings(lm),
                                       max_length=task.max_length, truncating=task.truncating)


def fine_tune(task, plan, lm) -> None:
    """Start ``plan``'s network from ``lm`` and train it the ULMFiT way."""
    from rnn_apps.core.finetune import GradualUnfreezing, make_finetune_optimizer

    config = task.config_
    recurrent = [f"encoder_{config.cell}_{index}" for index in range(config.layers)]
    build = plan.build

    def build_from_lm():
        model, trainer = build()
        lm_tools.copy_into(lm, trainer, embedding="embedding", recurrent=recurrent)
        return model, trainer

    groups = [[], *([name] for name in reversed(recurrent)), ["embedding"]]
    steps = task.epochs * math.ceil(plan.size / task.batch_size) if plan.size else None
    plan.build = build_from_lm
    plan.optimizer = lambda: make_finetune_optimizer(
        config, groups=groups, learning_rate=task.lm_learning_rate, total_steps=steps,
        slanted=task.slanted_triangular)
    plan.callbacks.append(GradualUnfreezing(decay=task.layer_lr_decay,
                                            gradual=task.gradual_unfreezing))


LM_SETTINGS = ("cell", "units", "layers", "embedding_dim", "seed", "verbose", "distribute",
               "embedding_dropout", "weight_drop", "locked_dropout", "activation_reg",
               "temporal_reg")


def train_language_model(task, texts, unlabeled: str, start=None):
    """A word-level language model of ``unlabeled`` text followed by the
    training ``texts`` (one per line), with ``task``'s network sizes; ``start``
    (a language model or its directory) is warm-started and trained further,
    keeping its vocabulary (ULMFiT's second stage)."""
    from rnn_apps.core import registry

    generator = registry.task_class("textgen")
    own = generator().get_params(deep=False)
    settings = {name: getattr(task, name) for name in LM_SETTINGS
                if name in own and hasattr(task, name)}
    if start is not None:
        start = lm_tools.load_language_model(start, "the language model to train further")
        settings.update(lm_tools.adopted_settings(start), level=lm_tools.level_of(start))
    lm = generator(**{"level": "word", **settings})
    lm.fit("\n".join([unlabeled, *texts]), warm_start=start)
    return lm
