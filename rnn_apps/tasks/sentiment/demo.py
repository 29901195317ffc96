"""The sentiment demo of ``rnn-apps demo``: real review sentences and tweets, against TF-IDF + logistic regression."""

from __future__ import annotations

from pathlib import Path

import click

from rnn_apps.evaluation.report import example_line


def _bag_of_words_accuracy(train, test, ngram_range) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=ngram_range)
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train[0]), train[1])
    predicted = model.predict(vectorizer.transform(test[0]))
    return float((predicted == test[1]).mean())


def run(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    import numpy as np

    from rnn_apps.data.tables import read_labelled_texts
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.sentiment.estimator import SentimentClassifier

    train = read_labelled_texts(datasets / "sentiment" / "train.csv")
    test = read_labelled_texts(datasets / "sentiment" / "test.csv")
    clf = SentimentClassifier(cell="gru", units=32, epochs=epochs, seed=0, verbose=verbose)
    clf.fit(*train)
    metrics = clf.evaluate(*test)
    click.echo(format_report(metrics, title="sentiment (GRU, word level) on datasets/sentiment/"
                                            "test.csv (real review sentences and tweets)"))
    labels = np.array(test[1], dtype=object)
    baselines = {}
    for name, ngrams in (("unigram", (1, 1)), ("uni+bigram", (1, 2))):
        baselines[name] = _bag_of_words_accuracy(train, (test[0], labels), ngrams)
        click.echo(f"baseline TF-IDF {name} + logistic regression: "
                   f"accuracy {baselines[name]:.4f}")
    examples = {"terrible service, never again": "negative",
                "I love this phone, the screen is gorgeous": "positive",
                "the battery died after two days": "negative"}
    texts = list(examples)
    for text, label, p in zip(texts, clf.predict(texts), clf.predict_proba(texts)):
        click.echo(example_line(f"{label:<8} {p.max():.3f}  {text}", label, examples[text]))
    clf.save(out / "sentiment" / "model")
    clf.export(out / "sentiment" / "export")
    click.echo(f"model: {out / 'sentiment' / 'model'}  SavedModel: {out / 'sentiment' / 'export'}")
    return {"task": "sentiment", "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
            "tfidf_lr_accuracy": baselines["uni+bigram"]}
