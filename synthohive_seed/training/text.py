"""Generate high-cardinality strings (names, codes, free text) by shape.

A one-hot over thousands of distinct values would blow up the model and could only
replay source values. Instead a column keeps *shapes*: each value becomes a template in
which letters are ``a``/``A`` and digits ``9`` (punctuation and spaces stay), and letters
are drawn from a letter-bigram model of the column. No source value is stored: only
templates, letter statistics and the NULL share.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_MAX_TEMPLATES = 2000


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

    def sample(self, n: int, rng: np.random.Generator, *, nulls: bool = True) -> list[str | None]:
        picks = rng.choice(len(self.templates), size=n, p=self.weights)
        out: list[str | None] = []
        for i in picks:
            out.append(self._fill(self.templates[i], rng))
        if nulls and self.null_share > 0:
            drop = rng.random(n) < self.null_share
            out = [None if d else v for v, d in zip(out, drop)]
        return out

    def _fill(self, template: str, rng: np.random.Generator) -> str:
        chars = []
        previous = 0
        for ch in template:
            if ch == "9":
                chars.append(str(rng.integers(10)))
                previous = 0
            elif ch in "aA":
                pos = int(rng.choice(26, p=self.bigrams[previous]))
                letter = _LOWER[pos]
                chars.append(letter.upper() if ch == "A" else letter)
                previous = pos + 1
            else:
                chars.append(ch)
                previous = 0
        text = "".join(chars)
        return text[: self.max_length] if self.max_length else text
