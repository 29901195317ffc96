"""``rnn-apps inspect``: a heatmap of hidden units over one input (text or series
window), or of a model's attention.

The task's ``inspect`` hook, ``sample(model, source, max_steps)``, reads the
input and returns what to draw: ``{"kind": "hidden", "tokens", "layers"}``
(one ``[steps, units]`` array a recurrent layer) or ``{"kind": "attention",
"source", "output", "weights"}``.
"""

from __future__ import annotations

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
    from rnn_apps.cli.errors import notes
    from rnn_apps.core import registry
    from rnn_apps.core.saving import load
    from rnn_apps.errors import RnnAppsError
    from rnn_apps.viz.hidden import plot_attention, plot_hidden_states

    if units < 1 or max_steps < 1:
        raise RnnAppsError("--units and --max-steps must be positive")
    model = load(model_dir)
    sample = registry.hook(model, "inspect")
    with notes():
        seen = sample(model, source, max_steps)
    if not isinstance(seen, dict) or seen.get("kind") not in ("hidden", "attention"):
        raise RnnAppsError(f"the {model.task_name} task's inspect hook must give a dict of "
                           f"kind 'hidden' or 'attention'")
    if seen["kind"] == "attention":
        plot_attention(seen["source"], seen["output"], seen["weights"], out,
                       title=f"{model.task_name} model {model_dir}: attention")
        click.echo(f"wrote {out}")
        return
    tokens = seen["tokens"][:max_steps]
    layers = [layer[:max_steps] for layer in seen["layers"]]
    if not tokens:
        raise RnnAppsError("the input has no tokens the model knows")
    plot_hidden_states(tokens, layers, out, units=units,
                       title=f"{model.task_name} model {model_dir}: hidden units "
                             f"({model.cell}, {len(layers)} layer(s))")
    click.echo(f"wrote {out}")
