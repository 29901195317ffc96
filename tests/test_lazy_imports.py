"""The one lazy-import rule (docs/architecture.md, "Lazy imports"): importing the
package and every task class loads neither TensorFlow nor Keras."""

import subprocess
import sys

CODE = """
import sys
import rnn_apps
from rnn_apps import (Forecaster, SentimentClassifier, Seq2SeqTranslator, Tagger,
                      TextGenerator, __version__)
from rnn_apps.core import registry
classes = registry.task_classes()
print(",".join(sorted(classes)), "tensorflow" in sys.modules, "keras" in sys.modules)
"""


def test_the_package_and_its_task_classes_import_without_tensorflow():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert out == ["forecast,sentiment,seq2seq,tagging,textgen", "False", "False"]
