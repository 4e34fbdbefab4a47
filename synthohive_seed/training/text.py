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
        """Fill templates a character position at a time, all rows at once (one bigram draw per letter)."""
        if not templates:
            return []
        n = len(templates)
        lengths = np.fromiter(map(len, templates), dtype=np.int64, count=n)
        width = int(lengths.max())
        if width == 0:
            return ["" for _ in templates]
        # All templates, longest first, as one flat array of characters (no padding to
        # the longest): the strings still running at character j are then a prefix, so
        # the work is proportional to the characters, not to rows x the longest one.
        order = np.argsort(-lengths, kind="stable")
        joined = "".join([templates[i] for i in order])
        chars = np.array([joined]).view("<U1").copy()
        starts = np.concatenate([[0], np.cumsum(lengths[order])[:-1]])
        running = np.searchsorted(-lengths[order], -np.arange(width), side="left")
        digits = chars == "9"
        chars[digits] = rng.integers(0, 10, int(digits.sum())).astype("<U1")
        upper = chars == "A"
        letters = upper | (chars == "a")
        # Each bigram row's cumulative shifted by its row number: one sorted array, so a
        # letter after letter r is a searchsorted of r + draw (no rows x 26 comparison).
        cumulative = (np.cumsum(self.bigrams, axis=1) + np.arange(27)[:, None]).ravel()
        alphabet = np.array(list(_LOWER), dtype="<U1")
        capitals = np.char.upper(alphabet)
        previous = np.zeros(n, dtype="int64")  # 0: start of a word
        for j in range(width):
            k = int(running[j])
            at = starts[:k] + j
            here = letters[at]
            now = previous[:k]
            if here.any():
                rows = now[here]
                found = np.searchsorted(cumulative, rows + rng.random(rows.size), side="left")
                chosen = np.clip(found - rows * 26, 0, 25)
                chars[at[here]] = np.where(upper[at[here]], capitals[chosen], alphabet[chosen])
                now[here] = chosen + 1
            now[~here] = 0
        # And back: one string, cut at the templates' lengths, in the callers' order.
        filled = chars.view(f"<U{chars.size}")[0]
        ends = starts + lengths[order]
        out = np.empty(n, dtype=object)
        out[order] = [filled[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
        texts_list: list[str] = out.tolist()
        return [t[: self.max_length] for t in texts_list] if self.max_length else texts_list
