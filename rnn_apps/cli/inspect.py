"""``rnn-apps inspect``: a heatmap of hidden units over one input (text or series
window), or of a seq2seq model's attention."""

from __future__ import annotations

from pathlib import Path

import click

from rnn_apps.cli.options import output_file


@click.command()
@click.option("--model", "model_dir", required=True, help="Model directory (any task).")
@click.option("--input", "source", required=True,
              help="The input: text, or a file (first line for sentiment, tagging and "
                   "seq2seq, the "
                   "start of the text for textgen); for forecast a series CSV (its last "
                   "lookback rows).")
@click.option("--out", required=True, callback=output_file, help="PNG file to write.")
@click.option("--units", type=int, default=32, show_default=True,
              help="Show this many units per layer, the most active first.")
@click.option("--max-steps", type=int, default=120, show_default=True,
              help="Cut longer inputs to this many steps.")
def inspect(model_dir, source, out, units, max_steps):
    """Plot recurrent activations per layer against the input tokens or characters
    (for seq2seq: the attention of each output token over the source)."""
    import rnn_apps
    from rnn_apps.data.tables import read_text_file
    from rnn_apps.errors import RnnAppsError
    from rnn_apps.tasks.forecast.cli import read_model_series
    from rnn_apps.viz.hidden import plot_attention, plot_hidden_states

    if units < 1 or max_steps < 1:
        raise RnnAppsError("--units and --max-steps must be positive")
    model = rnn_apps.load(model_dir)
    if model.task_name == "forecast":
        states = model.hidden_states(read_model_series(model, source))[0]
    else:
        text = read_text_file(source) if Path(source).is_file() else source
        if model.task_name in ("sentiment", "seq2seq", "tagging"):
            text = next((line for line in text.split("\n") if line.strip()), "")
        if model.task_name == "seq2seq":
            from rnn_apps.cli.errors import notes

            with notes():
                seen = model.attention_weights(text.split("\t")[0])
            plot_attention(seen["source"], seen["output"], seen["weights"], out,
                           title=f"seq2seq model {model_dir}: attention")
            click.echo(f"wrote {out}")
            return
        if model.task_name == "tagging" and model.state_["kind"] == "frames":
            raise RnnAppsError("inspect reads text; this tagging model tags numeric frames")
        if model.task_name == "tagging":  # split as the model's training text was
            sample = model.tokenize([text])[0][:max_steps]
        elif model.task_name == "sentiment":
            sample = text[:max_steps * 20]
        else:
            sample = text[:max_steps]
        states = model.hidden_states([sample])[0]
    tokens = states["tokens"][:max_steps]
    layers = [layer[:max_steps] for layer in states["layers"]]
    if not tokens:
        raise RnnAppsError("the input has no tokens the model knows")
    plot_hidden_states(tokens, layers, out, units=units,
                       title=f"{model.task_name} model {model_dir}: hidden units "
                             f"({model.cell}, {len(layers)} layer(s))")
    click.echo(f"wrote {out}")
