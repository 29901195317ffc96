"""Every closed set of values a setting takes, written once.

The task classes check their parameters against these, the readers their
formats, and the command line builds its ``click.Choice`` lists from them.
This module imports nothing, so ``rnn-apps --help`` stays light.
"""

POOLINGS = ("last", "mean", "max")                       # sentiment: states -> one vector
TEXT_LEVELS = ("word", "char", "subword")                # sentiment tokens
SEQUENCE_LEVELS = ("char", "word", "subword")            # seq2seq source / target tokens
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", "none")
TRUNCATING = ("post", "pre")
CLASS_WEIGHTS = ("balanced",)                            # or None, or {label: weight}
ATTENTIONS = ("multiplicative", "additive")              # or None
TEXTGEN_MODES = ("tbptt", "windows")
TEXTGEN_LEVELS = ("char", "subword")                     # textgen tokens
SUBWORD_MODELS = ("unigram", "bpe")                      # SentencePiece algorithms
FORECAST_STRATEGIES = ("direct", "recursive")
FORECAST_INPUTS = ("relative", "level", "both")         # or "auto"
DESEASONALIZE = ("none", "additive", "multiplicative")  # or "auto"
BACKTEST_WINDOWS = ("expanding", "sliding")
AUTO = "auto"
READOUTS = ("dense", "ridge")
DISTRIBUTE_MODES = ("none", "mirrored", "multiworker")
PRECISIONS = ("mixed_float16", "mixed_bfloat16")
TABLE_FORMATS = ("csv", "tsv", "jsonl", "lines")
TAGGED_FORMATS = ("conllu", "conll", "wordtag")
UNTAGGED_FORMAT = "text"                                # one raw sentence a line
TOKENIZERS = ("spacy", "whitespace")                     # tagging: raw text -> tokens
FRAMES_FORMAT = "frames"
