"""Secondary parents chosen to fit the child row's values.

A child table is generated per *driver* parent; its other FKs (secondary) used to point
at parents drawn by popularity alone, which loses relations like "an item's price
follows its product's price". Here, per secondary FK:

* **fit** (:func:`fit_relation`): a ridge regression predicts each of the parent's
  feature columns (the parent's encoder, as linkage uses) from the child row's own value
  columns. The parent column predicted best is kept if it explains enough
  (``MIN_R2``), with the residual spread.
* **sample** (:func:`match_parents`): the parents are drawn by popularity first (so how
  many children each parent gets follows the linkage model exactly), then handed to the
  child rows by rank: rows sorted by ``prediction + noise`` get the parents sorted by
  that column. A rank coupling like the one linkage uses for counts: it cannot change
  which parents are used or how often, only which row gets which, and the noise (the
  source's residual spread) keeps the relation as strong as in the source, not stronger.

The learned relation lives on the FK's :class:`~.linkage.LinkageModel` as plain fields,
so saved artifacts carry it without new part classes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema.model import TableSpec
from .context import ContextEncoder, default_context_columns
from .linkage import LinkageModel

MIN_R2 = 0.05
"""Below this share of explained variance the choice stays by popularity alone."""
_RIDGE = 1.0
_MAX_CHILD_COLUMNS = 16


def fit_relation(
    linkage: LinkageModel,
    child: TableSpec,
    frame: pd.DataFrame,
    parent_features: np.ndarray,
    owner: np.ndarray,
) -> None:
    """Learn which parent column the child's values predict (in place on ``linkage``).

    ``parent_features`` is the parent encoder's matrix over the source parents and
    ``owner[i]`` the parent row of child row ``i`` (-1: no parent).
    """
    linked = owner >= 0
    if linked.sum() < 10 or parent_features.shape[1] == 0:
        return
    columns = default_context_columns(child, frame, _MAX_CHILD_COLUMNS)
    if not columns:
        return
    encoder = ContextEncoder.fit(child, frame, columns, child=child.key)
    rows = frame.loc[linked].reset_index(drop=True)
    design = _design(encoder.encode(child, rows))
    targets = parent_features[owner[linked]]
    gram = design.T @ design + _RIDGE * np.eye(design.shape[1])
    coef = np.linalg.solve(gram, design.T @ targets)
    residual = targets - design @ coef
    spread = targets.var(axis=0)
    r2 = np.where(spread > 1e-12, 1.0 - residual.var(axis=0) / np.maximum(spread, 1e-12), 0.0)
    best = int(np.argmax(r2))
    if r2[best] < MIN_R2:
        return
    linkage.child_features = encoder
    linkage.relation = coef[:, best]
    linkage.relation_target = best
    linkage.relation_noise = float(residual[:, best].std())


def match_parents(
    linkage: LinkageModel | None,
    child: TableSpec,
    frame: pd.DataFrame,
    parent_features: np.ndarray,
    targets: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """``targets`` (parent row per child row) re-dealt so rows get parents that fit them.

    Returns ``targets`` unchanged when the FK has no learned relation.
    """
    if (linkage is None or linkage.child_features is None or linkage.relation_target < 0
            or targets.size < 2 or linkage.relation_target >= parent_features.shape[1]):
        return targets
    linked = np.flatnonzero(targets >= 0)
    if linked.size < 2:
        return targets
    design = _design(linkage.child_features.encode(
        child, frame.iloc[linked].reset_index(drop=True)))
    if design.shape[1] != linkage.relation.size:
        return targets
    key = design @ linkage.relation + rng.normal(0.0, linkage.relation_noise, linked.size)
    slots = targets[linked]
    slot_value = parent_features[slots, linkage.relation_target]
    # Random tie-breaking: equal parent values (or equal keys) must not favour row order.
    slot_order = np.lexsort((rng.random(slots.size), slot_value))
    row_order = np.lexsort((rng.random(linked.size), key))
    out = targets.copy()
    out[linked[row_order]] = slots[slot_order]
    return out


def _design(features: np.ndarray) -> np.ndarray:
    return np.concatenate([features, np.ones((features.shape[0], 1))], axis=1)
