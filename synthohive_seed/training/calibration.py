"""Match the GAN's output marginals to the source's before decoding.

A GAN trained for few epochs on a CPU gets the *relations* between columns roughly
right long before it gets each column's *distribution* right (an untrained generator
puts every number near the median and every category near uniform). The generated
batch is therefore calibrated column by column, keeping each row's relative position:

* a number's score is replaced by the normal score of its rank in the batch, so the
  decoded values follow the source's empirical distribution exactly (spikes, skew,
  range) while rows keep their order;
* category probabilities are rescaled (a few rounds of iterative proportional fitting)
  until their batch average equals the source frequencies, so per-row preferences stay
  and rare categories keep their share.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .codecs import CategoryCodec, QuantileCodec

_ROUNDS = 5


def calibrate(codec: QuantileCodec | CategoryCodec, block: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    """``block`` (one codec's columns of a generated batch) with source marginals."""
    if block.shape[0] == 0:
        return block
    out = block.copy()
    if isinstance(codec, QuantileCodec):
        out[:, 0] = _rank_scores(out[:, 0], rng)
        if codec.has_nulls:
            target = np.array([1.0 - codec.null_share, codec.null_share])
            out[:, 1:3] = _match_frequencies(out[:, 1:3], target)
        return out
    return _match_frequencies(out, codec.frequencies)


def _rank_scores(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = values.size
    tiebreak = rng.random(n)  # drawn either way, so the stream of draws never depends on ties
    order = np.argsort(values)
    ordered = values[order]
    if np.any(ordered[1:] == ordered[:-1]):
        # Equal scores (a constant column, a saturated GAN output): ranks among them random.
        order = np.lexsort((tiebreak, values))
    ranks = np.empty(n)
    ranks[order] = np.arange(n)
    return ndtri((ranks + 0.5) / n)


def _match_frequencies(probs: np.ndarray, target: np.ndarray) -> np.ndarray:
    p = np.clip(probs, 1e-9, None)
    p = p / p.sum(axis=1, keepdims=True)
    for _ in range(_ROUNDS):
        p = p * (target / np.maximum(p.mean(axis=0), 1e-12))
        p = p / p.sum(axis=1, keepdims=True)
    return p
