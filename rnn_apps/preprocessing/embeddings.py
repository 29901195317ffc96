"""Pretrained word vectors as the starting point of a task's word embeddings.

``read_word_vectors`` reads word2vec (binary or text), GloVe (text without a
header line) and fastText ``.vec`` files with gensim's ``KeyedVectors``; the
format is told from the file (binary: a ``.bin`` name or bytes that are not
text; a header: a first line of two integers). ``vector_rows`` lines the
vectors up with a fitted vocabulary: the exact token, then its lower-case
form, then its first (most frequent) casing in the file; tokens the file
lacks get seeded random rows scaled like the vectors found; the padding row
is zeros.

A task calls :func:`prepare` in ``fit`` with its word-level vocabularies and
gets a :class:`WordVectors`: the embedding size to build with, and ``apply``,
which copies the rows into the built network (and freezes them on request).
The vectors only initialise the embeddings: they are weights of
``model.keras`` afterwards, so predicting, loading and exporting never read
the file. A warm start or resume keeps its own weights and does not read it.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnn_apps.core.provenance import describe_word_vectors, word_vectors_side
from rnn_apps.errors import DataError, RnnAppsError, first_line

STATE_KEY = "word_vectors"
SNIFF_BYTES = 1 << 16
INSTALL_HINT = "pip install 'rnn-apps[embeddings]'"
# Limits on a word-vectors file, checked before anything is allocated from the
# sizes it claims (its header, or its lines for GloVe): words and dimensions as
# the vocabulary and embedding limits of core/params.py LIMITS; all the values
# (words x dimensions) fit 4 GB of float32; one text line at most 1 MiB
# (uncompressed), enough for 16,384 dimensions of 32 characters.
MAX_VALUES = 1_000_000_000
MAX_LINE_BYTES = 1 << 20


def _opener(path: Path):
    return gzip.open if path.suffix == ".gz" else open


def detect_format(path) -> tuple[bool, bool]:
    """``(binary, no_header)`` of a word-vectors file, from its name and first bytes."""
    path = Path(path)
    with _opener(path)(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise DataError(f"{path}: the word-vectors file is empty")
    first = head.split(b"\n", 1)[0].split()
    header = len(first) == 2 and all(part.isdigit() for part in first)
    binary = ".bin" in path.suffixes
    if not binary:
        body = head[:-4] if len(head) == SNIFF_BYTES else head  # a character may be cut
        try:
            body.decode("utf-8")
            binary = b"\0" in body
        except UnicodeDecodeError:
            binary = True
    if binary and not header:
        raise DataError(f"{path}: a binary word2vec file starts with a '<words> <dimensions>' "
                        "line; this one does not")
    return binary, not header


def _header(path, line: bytes) -> tuple[int, int]:
    words, dims = (int(part) for part in line.split())
    from rnn_apps.core.params import LIMITS

    for claim, name, limit in ((words, "words", LIMITS["vocabulary"]),
                               (dims, "dimensions", LIMITS["embedding_dim"])):
        if not 1 <= claim <= limit:
            raise DataError(f"{path}: the header claims {claim:,} {name}; it must be 1 to "
                            f"{limit:,}")
    if words * dims > MAX_VALUES:
        raise DataError(f"{path}: the header claims {words:,} words of {dims:,} dimensions, "
                        f"more than the limit of {MAX_VALUES:,} values")
    return words, dims


def check_sizes(path, binary: bool, no_header: bool) -> None:
    """Check what a word-vectors file claims against the limits and against
    what it holds, reading it once (bounded lines, stopping at the first
    excess) before gensim allocates a matrix of the claimed size."""
    from rnn_apps.core.params import LIMITS

    path = Path(path)
    with _opener(path)(path, "rb") as handle:
        claim = None if no_header else _header(path, handle.readline(SNIFF_BYTES))
        if binary:  # a record: a word, a space, dimensions x 4 bytes
            words, dims = claim
            need, held = words * (4 * dims + 2), 0
            while held < need:
                chunk = handle.read(min(need - held, 1 << 20))
                if not chunk:
                    raise DataError(f"{path}: the header claims {words:,} words of {dims:,} "
                                    f"dimensions (at least {need:,} bytes) but the file "
                                    f"holds {held:,} bytes after it")
                held += len(chunk)
            return
        most = claim[0] if claim else LIMITS["vocabulary"]
        lines, number, dims = 0, 1 if claim else 0, None
        while line := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise DataError(f"{path} line {number}: longer than {MAX_LINE_BYTES:,} bytes "
                                "(the limit on one line of a word-vectors file)")
            if not line.strip():
                continue
            lines += 1
            if lines > most:
                break
            if claim is None:
                dims = dims or len(line.split()) - 1
                if dims > LIMITS["embedding_dim"]:
                    raise DataError(f"{path}: {dims:,} dimensions; the limit is "
                                    f"{LIMITS['embedding_dim']:,}")
                if lines * dims > MAX_VALUES:
                    raise DataError(f"{path}: more than {MAX_VALUES:,} values (words x "
                                    "dimensions), the limit")
    if claim and lines != claim[0]:
        raise DataError(f"{path}: the header claims {claim[0]:,} words but the file holds "
                        f"{'more' if lines > claim[0] else f'{lines:,}'}")
    if claim is None and lines > most:
        raise DataError(f"{path}: more than {most:,} words; the limit is {most:,}")


def read_word_vectors(path):
    """gensim ``KeyedVectors`` of a word2vec / GloVe / fastText file; a one-line
    ``DataError`` naming the file when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"word-vectors file {path} does not exist or is not a file")
    try:
        from gensim.models import KeyedVectors
    except ImportError:
        raise RnnAppsError(f"reading word vectors needs gensim: {INSTALL_HINT}") from None
    try:
        binary, no_header = detect_format(path)
        check_sizes(path, binary, no_header)
        vectors = KeyedVectors.load_word2vec_format(
            str(path), binary=binary, no_header=no_header, unicode_errors="replace")
    except DataError:
        raise
    except (OSError, ValueError, EOFError, IndexError, KeyError, UnicodeError,
            MemoryError, zlib.error) as error:
        raise DataError(f"{path}: cannot read word vectors ({first_line(error)})") from None
    matrix = vectors.vectors
    if len(vectors) == 0 or matrix.ndim != 2 or matrix.shape[1] == 0:
        raise DataError(f"{path}: no word vectors found")
    if not np.isfinite(matrix).all():
        raise DataError(f"{path}: the word vectors hold NaN or infinite values")
    return vectors


def _positions(index: dict, tokens) -> list:
    """Row of each token in the file: the exact token, its lower-case form, else
    the first (most frequent) casing of it in the file; None when absent."""
    found = [index.get(token, index.get(token.lower())) for token in tokens]
    if None in found:
        folded: dict = {}
        for key, position in index.items():
            folded.setdefault(key.lower(), position)
        found = [folded.get(token.lower()) if position is None else position
                 for token, position in zip(tokens, found)]
    return found


def vector_rows(vectors, tokens, *, reserved: int, seed=None) -> tuple[np.ndarray, int]:
    """``(matrix [reserved + len(tokens), dim], tokens found)`` for a vocabulary
    whose ids ``0 .. reserved-1`` are padding (row 0: zeros) and other reserved
    ids (unknown, start, end: random rows), then ``tokens`` in id order."""
    found = _positions(vectors.key_to_index, tokens)
    hits = [i for i, position in enumerate(found) if position is not None]
    dim = vectors.vector_size
    rng = np.random.default_rng(seed)
    known = vectors.vectors[[found[i] for i in hits]] if hits else np.zeros((0, dim))
    scale = known.std(axis=0) if len(known) > 1 else np.full(dim, 0.1)
    centre = known.mean(axis=0) if len(known) else np.zeros(dim)
    matrix = rng.normal(centre, np.maximum(scale, 1e-6),
                        size=(reserved + len(tokens), dim)).astype(np.float32)
    matrix[0] = 0.0
    for i in hits:
        matrix[reserved + i] = vectors.vectors[found[i]]
    return matrix, len(hits)


@dataclass
class WordVectors:
    """What ``fit`` builds with: the embedding size, the rows for each named
    embedding layer (none on a warm start), whether to freeze them."""

    dim: int
    rows: dict = field(default_factory=dict)
    layers: tuple = ()
    freeze: bool = False
    summary: dict | None = None

    def apply(self, model) -> None:
        """Copy the rows into the embedding layers of the built ``model`` and
        make them untrainable when frozen (before it is compiled)."""
        for name in self.layers:
            layer = find_layer(model, name)
            if name in self.rows:
                layer.embeddings.assign(self.rows[name])
            if self.freeze:
                layer.trainable = False


def find_layer(model, name: str):
    """The layer called ``name`` in ``model`` or in a model nested in it."""
    for layer in model.layers:
        if layer.name == name:
            return layer
        if hasattr(layer, "layers"):
            try:
                return find_layer(layer, name)
            except KeyError:
                pass
    raise KeyError(name)


def prepare(task, vocabularies: dict, prior, *, state: dict | None = None,
            refusal: str = "") -> WordVectors | None:
    """Word vectors for ``task``: None when it has none (``embeddings=None``).

    ``vocabularies``: ``{layer name: (tokens, reserved ids)}`` of the word-level
    vocabularies. ``prior``: the warm-start (or resumed) state, whose weights
    are kept, so the file is not read; its embedding size still holds.
    ``WordVectors.summary`` (file, dimensions, coverage) goes into the task's
    fitted state (into ``state`` when given) and ``task.word_vectors_``, which
    the provenance record (``rnn-apps info``) reads. ``refusal``: why word vectors
    do not apply when there is no word-level vocabulary.
    """
    vectors = _prepare(task, vocabularies, prior, refusal)
    task.word_vectors_ = vectors.summary if vectors is not None else None
    if state is not None and task.word_vectors_:
        state[STATE_KEY] = task.word_vectors_
    return vectors


def _prepare(task, vocabularies, prior, refusal):
    from rnn_apps.core.training import note

    if task.embeddings is not None and not vocabularies:
        raise RnnAppsError(f"embeddings (pretrained word vectors) need a word vocabulary; "
                           f"{refusal}")
    if prior is not None:
        summary = prior.get(STATE_KEY)
        if summary is None:
            if task.embeddings is not None:
                note("embeddings are not read on a warm start: the warm-start model's "
                     "weights are the starting point")
            return None
        return WordVectors(summary["dim"], layers=tuple(summary["coverage"]),
                           freeze=task.freeze_embeddings, summary=summary)
    if task.embeddings is None:
        return None
    vectors = read_word_vectors(task.embeddings)
    rows, coverage = {}, {}
    for name, (tokens, reserved) in vocabularies.items():
        matrix, covered = vector_rows(vectors, tokens, reserved=reserved, seed=task.seed)
        coverage[name] = {"covered": covered, "tokens": len(tokens)}
        if covered:
            rows[name] = matrix
    if not rows:
        raise DataError(f"{task.embeddings}: the word vectors cover none of the "
                        f"{sum(len(t) for t, _ in vocabularies.values()):,} vocabulary tokens "
                        "(another language, or another tokenisation?)")
    summary = {"file": Path(task.embeddings).name, "dim": int(vectors.vector_size),
               "coverage": {name: coverage[name] for name in rows}}
    note(f"word vectors {describe_word_vectors(summary)}")
    for name in set(vocabularies) - set(rows):
        note(f"the word vectors cover none of the {word_vectors_side(name)} vocabulary; its embedding "
             "starts at random")
    if task.embedding_dim != summary["dim"]:
        note(f"the embeddings take the word vectors' {summary['dim']} dimensions "
             f"(embedding_dim={task.embedding_dim} is not used)")
    return WordVectors(summary["dim"], rows, tuple(rows), task.freeze_embeddings, summary)
