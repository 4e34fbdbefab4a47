"""Generate high-cardinality strings (names, codes, free text) by shape.

A one-hot over thousands of distinct values would blow up the model and could only
replay source values. Instead a column keeps *shapes*: each value becomes a template in
which letters are ``a``/``A`` and digits ``9`` (punctuation and spaces stay), and letters
are drawn from a letter-bigram model of the column. No source value is stored: only
templates, letter statistics and the NULL share.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_MAX_TEMPLATES = 2000


def _digest(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()


def template_of(value: str) -> str:
    """The shape of a string: letters -> a/A, digits -> 9, anything else kept."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append("9")
        elif ch.isalpha():
            out.append("A" if ch.isupper() else "a")
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class TextShapeGenerator:
    """Strings with the source's shapes and letter statistics."""

    name: str
    templates: list[str] = field(default_factory=list)
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bigrams: np.ndarray = field(default_factory=lambda: np.ones((27, 26)))
    """Row 0: first letter of a word; row i+1: letter following letter i."""
    null_share: float = 0.0
    max_length: int | None = None
    source_digests: list[str] = field(default_factory=list)
    """Short hashes of the source's values (key columns only): new keys must differ from
    every source key, and the values themselves are not stored."""

    @classmethod
    def fit(cls, name: str, values: list[object], max_length: int | None) -> TextShapeGenerator:
        present = [str(v) for v in values if isinstance(v, str)]
        null_share = 1.0 - len(present) / len(values) if values else 0.0
        shapes = Counter(template_of(v) for v in present)
        common = shapes.most_common(_MAX_TEMPLATES) or [("aaaa", 1)]
        counts = np.ones((27, 26))  # add-one smoothing keeps every letter possible
        for value in present:
            previous = 0
            for ch in value.lower():
                pos = _LOWER.find(ch)
                if pos < 0:
                    previous = 0
                    continue
                counts[previous, pos] += 1
                previous = pos + 1
        weights = np.array([c for _, c in common], dtype="float64")
        return cls(
            name=name,
            templates=[t for t, _ in common],
            weights=weights / weights.sum(),
            bigrams=counts / counts.sum(axis=1, keepdims=True),
            null_share=null_share,
            max_length=max_length,
        )

    def remember_source(self, values: list[object]) -> TextShapeGenerator:
        """Keep digests of ``values`` so :meth:`is_source` can refuse them; returns self."""
        self.source_digests = sorted({_digest(str(v)) for v in values if isinstance(v, str)})
        return self

    def is_source(self, value: str) -> bool:
        """Whether ``value`` is one of the remembered source values."""
        if not self.source_digests:
            return False
        if not hasattr(self, "_digest_set"):
            self._digest_set = set(self.source_digests)
        return _digest(value) in self._digest_set

    def sample(self, n: int, rng: np.random.Generator, *, nulls: bool = True) -> list[str | None]:
        picks = rng.choice(len(self.templates), size=n, p=self.weights)
        out: list[str | None] = list(self._fill_many([self.templates[i] for i in picks], rng))
        if nulls and self.null_share > 0:
            drop = rng.random(n) < self.null_share
            out = [None if d else v for v, d in zip(out, drop)]
        return out

    def _fill(self, template: str, rng: np.random.Generator) -> str:
        return self._fill_many([template], rng)[0]

    def _fill_many(self, templates: list[str], rng: np.random.Generator) -> list[str]:
        """Fill templates column by column, all rows at once (one bigram draw per letter)."""
        if not templates:
            return []
        width = max(len(t) for t in templates)
        if width == 0:
            return ["" for _ in templates]
        # One row of single characters per template, NUL-padded: numpy pads "<U{width}"
        # strings with NULs, and viewing them as "<U1" splits them without a Python loop.
        grid = np.array(templates, dtype=f"<U{width}").view("<U1").reshape(len(templates), width)
        digits = grid == "9"
        grid[digits] = rng.integers(0, 10, int(digits.sum())).astype("<U1")
        upper = grid == "A"
        letters = upper | (grid == "a")
        cumulative = np.cumsum(self.bigrams, axis=1)
        alphabet = np.array(list(_LOWER), dtype="<U1")
        capitals = np.char.upper(alphabet)
        previous = np.zeros(len(templates), dtype="int64")  # 0: start of a word
        for j in range(width):
            here = letters[:, j]
            if here.any():
                draws = rng.random(int(here.sum()))
                chosen = np.minimum((cumulative[previous[here]] < draws[:, None]).sum(axis=1), 25)
                grid[here, j] = np.where(upper[here, j], capitals[chosen], alphabet[chosen])
                previous[here] = chosen + 1
            previous[~here] = 0
        # And back: each row viewed as one "<U{width}" string (numpy drops trailing NULs).
        texts = np.ascontiguousarray(grid).view(f"<U{width}").ravel().tolist()
        return [t[: self.max_length] for t in texts] if self.max_length else texts
