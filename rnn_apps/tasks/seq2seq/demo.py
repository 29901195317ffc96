"""The seq2seq demo of ``rnn-apps demo``: date normalisation and a small chatbot."""

from __future__ import annotations

from pathlib import Path

import click

from rnn_apps.evaluation.report import example_line


def run(datasets: Path, out: Path, epochs: int, verbose: int) -> dict:
    from rnn_apps.cli.errors import notes
    from rnn_apps.data.pairs import read_pairs
    from rnn_apps.evaluation.report import format_report
    from rnn_apps.tasks.seq2seq.estimator import Seq2SeqTranslator

    folder = datasets / "seq2seq"
    sources, targets = read_pairs(folder / "dates_train.tsv")
    test = read_pairs(folder / "dates_test.tsv")
    model = Seq2SeqTranslator(units=64, embedding_dim=32, epochs=max(epochs + epochs // 5, 1),
                              batch_size=64, seed=0, verbose=verbose).fit(sources, targets)
    metrics = model.evaluate(*test)
    click.echo(format_report(metrics, title="seq2seq (BiGRU encoder, attention, beam 4) on "
                                            "datasets/seq2seq/dates_test.tsv"))
    examples = {"the twenty-first of June 2031": "2031-06-21",
                "SATURDAY, JULY 4, 1970": "1970-07-04", "7 Nov 49": "2049-11-07"}
    for source, output in zip(examples, model.predict(list(examples))):
        click.echo(example_line(f"{source:<32} -> {output}", output, examples[source]))
    model.save(out / "seq2seq" / "model")
    model.export(out / "seq2seq" / "export")
    chat = Seq2SeqTranslator(units=64, embedding_dim=32, source_level="word",
                             target_level="word", lowercase=True, valid_split=0,
                             epochs=max(epochs * 4, 1), batch_size=16, learning_rate=5e-3,
                             seed=0, verbose=0).fit(*read_pairs(folder / "chat_train.tsv"))
    questions = ["please explain an lstm.", "thanks!"]
    with notes():  # held-out phrasings have words the model never saw
        chat_exact = chat.evaluate(*read_pairs(folder / "chat_test.tsv"))["exact_match"]
        answers = chat.predict(questions)
    click.echo(f"chat (word level) on held-out phrasings: exact match {chat_exact:.4f}")
    for question, answer in zip(questions, answers):
        click.echo(f"  > {question}\n    {answer}")
    chat.save(out / "seq2seq" / "chat_model")
    click.echo(f"model: {out / 'seq2seq' / 'model'}  SavedModel: {out / 'seq2seq' / 'export'}  "
               f"chat: rnn-apps seq2seq chat --model {out / 'seq2seq' / 'chat_model'}")
    return {"task": "seq2seq", "exact_match": metrics["exact_match"], "cer": metrics["cer"],
            "chat_exact_match": chat_exact}
