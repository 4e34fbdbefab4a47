"""Per-column encodings between values and the GAN's matrix.

* :class:`QuantileCodec` (numbers, dates, times): values become standard-normal scores
  through their empirical CDF and come back through the inverse CDF, so generated
  values never leave the source range, keep its skew and its spikes (a 30 % share of
  exact zeros comes back as exact zeros), and integer/decimal places are restored.
  NULLs get a separate two-way indicator.
* :class:`CategoryCodec` (few distinct values): one-hot in, softmax out, and sampling
  *from* the probabilities (never argmax, which would erase rare categories).

Both can also draw from their fitted marginal alone (:meth:`sample_marginal`), which is
what tables too small for a GAN use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

Span = tuple[int, str]
"""(width, activation) of one block of the model matrix: ``linear`` or ``softmax``."""

_QUANTILE_POINTS = 1001


def sample_rows(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category index per row of a probability matrix, drawn with ``rng``."""
    cumulative = np.cumsum(probs, axis=1)
    cumulative /= cumulative[:, -1:]
    draws = rng.random((probs.shape[0], 1))
    return np.minimum((cumulative < draws).sum(axis=1), probs.shape[1] - 1)


@dataclass
class QuantileCodec:
    """A numeric column through its empirical quantiles."""

    name: str
    levels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    quantiles: np.ndarray = field(default_factory=lambda: np.zeros(0))
    null_share: float = 0.0
    places: int | None = None
    """Decimal places to round to (None: no rounding)."""

    @classmethod
    def fit(cls, name: str, numbers: np.ndarray, places: int | None) -> QuantileCodec:
        present = numbers[~np.isnan(numbers)]
        if present.size == 0:
            present = np.zeros(1)
        points = min(_QUANTILE_POINTS, max(2, present.size))
        levels = np.linspace(0.0, 1.0, points)
        return cls(
            name=name,
            levels=levels,
            quantiles=np.quantile(present, levels, method="linear"),
            null_share=float(np.isnan(numbers).mean()) if numbers.size else 0.0,
            places=places,
        )

    @property
    def has_nulls(self) -> bool:
        return self.null_share > 0

    @property
    def spans(self) -> list[Span]:
        return [(1, "linear"), (2, "softmax")] if self.has_nulls else [(1, "linear")]

    def encode(self, numbers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        missing = np.isnan(numbers)
        n = numbers.size
        # Ranks with random tie-breaking spread a spike (many equal values) over its
        # whole probability mass instead of one point.
        order = np.lexsort((rng.random(n), np.where(missing, np.inf, numbers)))
        ranks = np.empty(n)
        ranks[order] = np.arange(n)
        present = max(1, int((~missing).sum()))
        scores = ndtri((ranks + 0.5) / present)
        scores = np.where(missing, rng.standard_normal(n), scores)
        if not self.has_nulls:
            return scores[:, None]
        flags = np.stack([~missing, missing], axis=1).astype("float64")
        return np.concatenate([scores[:, None], flags], axis=1)

    def decode(self, block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        values = self._inverse(ndtr(np.clip(block[:, 0], -8, 8)))
        if self.has_nulls:
            values = np.where(sample_rows(block[:, 1:3], rng) == 1, np.nan, values)
        return values

    def sample_marginal(self, n: int, rng: np.random.Generator) -> np.ndarray:
        values = self._inverse(rng.random(n))
        if self.has_nulls:
            values = np.where(rng.random(n) < self.null_share, np.nan, values)
        return values

    def _inverse(self, probabilities: np.ndarray) -> np.ndarray:
        values = np.interp(probabilities, self.levels, self.quantiles)
        if self.places is not None:
            values = np.round(values, self.places)
        return values


@dataclass
class CategoryCodec:
    """A column with few distinct values (NULL is a category of its own)."""

    name: str
    categories: list[object] = field(default_factory=list)
    frequencies: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def fit(cls, name: str, values: list[object]) -> CategoryCodec:
        counts: dict[object, int] = {}
        for value in values:
            key = _category_key(value)
            counts[key] = counts.get(key, 0) + 1
        if not counts:
            counts = {None: 1}
        categories = sorted(counts, key=lambda v: (-counts[v], repr(v)))
        freqs = np.array([counts[c] for c in categories], dtype="float64")
        return cls(name=name, categories=categories, frequencies=freqs / freqs.sum())

    @property
    def spans(self) -> list[Span]:
        return [(len(self.categories), "softmax")]

    def encode(self, values: list[object], rng: np.random.Generator) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.categories)}
        out = np.zeros((len(values), len(self.categories)))
        positions = [index.get(_category_key(v), 0) for v in values]
        out[np.arange(len(values)), positions] = 1.0
        return out

    def decode(self, block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One category per row, as an object array."""
        picks = sample_rows(np.clip(block, 1e-12, None), rng)
        return self._values[picks]

    def sample_marginal(self, n: int, rng: np.random.Generator) -> np.ndarray:
        picks = rng.choice(len(self.categories), size=n, p=self.frequencies)
        return self._values[picks]

    @functools.cached_property
    def _values(self) -> np.ndarray:
        # Categories as an object array, so a batch is one take, not a Python loop.
        values = np.empty(len(self.categories), dtype=object)
        values[:] = self.categories
        return values


def _category_key(value: object) -> object:
    """Missing values of every flavour (None, NaN, NaT, pd.NA) become one ``None``."""
    if value is None:
        return None
    try:
        if value != value:  # NaN / NaT
            return None
    except (TypeError, ValueError):  # pd.NA compares ambiguously
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
