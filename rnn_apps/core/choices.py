"""The closed sets of values shared by several tasks or by core, the readers and
the preprocessing, written once.

The task classes check their parameters against these, the readers their
formats, and the command line builds its ``click.Choice`` lists from them. A
set only one task uses lives in that task's package
(``rnn_apps/tasks/<task>/choices.py`` or the one module that reads it). This
module imports nothing, so ``rnn-apps --help`` stays light.
"""

POOLINGS = ("last", "mean", "max")                       # states -> one vector (core.layers)
TEXT_LEVELS = ("word", "char", "subword")                # a text encoder's tokens (params.TEXT)
SEQUENCE_LEVELS = ("char", "word", "subword")            # sequence vocabularies' tokens
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", "none",
               "lower_split_punctuation")
WORD_SPLIT = "lower_split_punctuation"  # how word-level language models split (preprocessing.words)
TRUNCATING = ("post", "pre")
SUBWORD_MODELS = ("unigram", "bpe")                      # SentencePiece algorithms
DISTRIBUTE_MODES = ("none", "mirrored", "multiworker")
PRECISIONS = ("mixed_float16", "mixed_bfloat16")
TABLE_FORMATS = ("csv", "tsv", "jsonl", "lines")
TAGGED_FORMATS = ("conllu", "conll", "wordtag")
UNTAGGED_FORMAT = "text"                                # one raw sentence a line
TOKENIZERS = ("spacy", "whitespace")                     # raw text -> tokens
