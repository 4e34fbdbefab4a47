"""How many children each parent has, per parent -> child foreign key.

The marginal distribution of children per parent is kept exactly (zeros, long tails,
never above the source maximum) by a stratified draw from the source histogram. The
dependence on the parent (premium customers order more) comes from a ridge regression
of ``log1p(count)`` on the parent's context features: drawn counts are handed out by
rank of ``prediction + noise``, a rank (copula) coupling that cannot distort the
marginal. Rows whose FK is NULL (children without a parent) are counted apart and
scaled with the number of parents.

A *secondary* FK's model also carries the relation between the child's values and the
parent's columns that :mod:`.secondary` learns and uses to choose which row gets which
parent (empty for driver FKs and when the child's values say nothing about the parent).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .context import ContextEncoder

_RIDGE = 1.0


@dataclass
class LinkageModel:
    """Children-per-parent model of one FK."""

    child: str
    parent: str
    fk: str
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    """Distinct children counts seen in the source."""
    probabilities: np.ndarray = field(default_factory=lambda: np.zeros(0))
    coefficients: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Ridge coefficients (intercept last) on the parent features; empty = no dependence."""
    noise: float = 1.0
    source_parents: int = 0
    orphans: int = 0
    """Source child rows whose FK is NULL."""
    null_share: float = 0.0
    """Share of source child rows whose FK is NULL."""
    child_features: ContextEncoder | None = None
    """Secondary FKs: encodes the child's own value columns for :mod:`.secondary`."""
    relation: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Ridge coefficients (intercept last) predicting parent feature ``relation_target``."""
    relation_target: int = -1
    """Column of the parent's feature matrix the child's values predict (-1: none)."""
    relation_noise: float = 0.0
    """Residual spread of that prediction in the source."""

    @classmethod
    def fit(
        cls,
        *,
        child: str,
        parent: str,
        fk: str,
        counts: np.ndarray,
        features: np.ndarray,
        orphans: int,
        child_rows: int,
    ) -> LinkageModel:
        """``counts[i]`` children for source parent ``i`` whose features are ``features[i]``."""
        model = cls(child=child, parent=parent, fk=fk, source_parents=int(counts.size),
                    orphans=int(orphans),
                    null_share=float(orphans / child_rows) if child_rows else 0.0)
        if counts.size:
            values, freq = np.unique(counts.astype("int64"), return_counts=True)
            model.values, model.probabilities = values, freq / freq.sum()
        if counts.size > 2 and features.shape[1] and np.ptp(counts) > 0:
            target = np.log1p(counts.astype("float64"))
            design = np.concatenate([features, np.ones((counts.size, 1))], axis=1)
            gram = design.T @ design + _RIDGE * np.eye(design.shape[1])
            coef = np.linalg.solve(gram, design.T @ target)
            residual = target - design @ coef
            model.coefficients = coef
            model.noise = float(residual.std()) or 1e-9
        return model

    def sample_counts(self, features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One children count per generated parent (rows of ``features``)."""
        n = features.shape[0]
        if n == 0 or self.values.size == 0:
            return np.zeros(n, dtype="int64")
        # Stratified draw (one uniform per 1/n slice of the CDF): the counts follow the
        # source histogram closely even for a handful of parents, unlike n i.i.d. draws.
        levels = (np.arange(n) + rng.random(n)) / n
        cdf = np.cumsum(self.probabilities)
        drawn = self.values[np.minimum(np.searchsorted(cdf, levels, side="right"),
                                       self.values.size - 1)]
        if self.coefficients.size != features.shape[1] + 1:
            return rng.permutation(drawn)
        design = np.concatenate([features, np.ones((n, 1))], axis=1)
        score = design @ self.coefficients + rng.normal(0.0, self.noise, size=n)
        out = np.empty(n, dtype="int64")
        out[np.argsort(score, kind="stable")] = drawn
        return out

    def orphan_count(self, parents: int) -> int:
        """Children without a parent to generate when ``parents`` parents exist."""
        if not self.orphans:
            return 0
        if not self.source_parents:
            return self.orphans
        return int(round(self.orphans * parents / self.source_parents))
