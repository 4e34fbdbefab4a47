"""Pictures of a report: scores, distribution overlays, children-per-parent histograms.

HTML uses plotly (SDMetrics depends on it, so it is always there) and is self-contained
(plotly.js embedded once, works offline). PNG uses matplotlib, an optional dependency:
without it :func:`write_png` raises a ConfigError saying what to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema.model import Schema
from .metadata import comparable_frames, sdtype
from .report import QualityResult, children_counts

MAX_OVERLAYS = 8
MAX_HISTOGRAMS = 4
_SHOWN = ("numerical", "datetime", "categorical", "boolean")


@dataclass(frozen=True)
class Panel:
    """One chart's data: real and synthetic values of a column, or children counts."""

    title: str
    real: pd.Series
    synthetic: pd.Series
    categorical: bool


def panels(schema: Schema, real: Mapping[str, pd.DataFrame],
           synthetic: Mapping[str, pd.DataFrame]) -> list[Panel]:
    """Overlays for a few columns (two per table at most), then children per parent."""
    real_c, fake_c = comparable_frames(schema, real), comparable_frames(schema, synthetic)
    out: list[Panel] = []
    for table in schema.tables:
        shown = 0
        for column in table.columns:
            if column.computed or len(out) >= MAX_OVERLAYS or shown >= 2:
                break
            kind = sdtype(table, column, real_c[table.key])
            if kind not in _SHOWN:
                continue
            out.append(Panel(f"{table.key}.{column.name}", real_c[table.key][column.name],
                             fake_c[table.key][column.name], kind in ("categorical", "boolean")))
            shown += 1
    histograms = 0
    for table in schema.tables:
        for fk in table.foreign_keys:
            if fk.referred_table == table.key or histograms >= MAX_HISTOGRAMS:
                continue
            out.append(Panel(f"{table.key} per {fk.referred_table} ({fk.name})",
                             pd.Series(children_counts(schema, real, table.key, fk.name)),
                             pd.Series(children_counts(schema, synthetic, table.key, fk.name)),
                             categorical=False))
            histograms += 1
    return out


def write_html(result: QualityResult, charts: list[Panel], path: str | Path) -> None:
    """A self-contained HTML page: the scores, then one chart per panel."""
    import plotly.graph_objects as go

    names = ["Overall", *result.properties]
    scores = [result.overall, *result.properties.values()]
    figures = [go.Figure(go.Bar(x=names, y=scores, text=[f"{s:.3f}" for s in scores]),
                         layout={"title": "Quality (SDMetrics, 1.0 = same as real)",
                                 "yaxis": {"range": [0, 1]}})]
    for panel in charts:
        fig = go.Figure(layout={"title": panel.title, "barmode": "overlay"})
        if panel.categorical:
            shares = _shares(panel)
            for side in ("real", "synthetic"):
                fig.add_bar(x=shares.index.astype(str), y=shares[side], name=side, opacity=0.6)
        else:
            for side, values in (("real", panel.real), ("synthetic", panel.synthetic)):
                fig.add_histogram(x=values.dropna(), name=side, opacity=0.6,
                                  histnorm="probability")
        figures.append(fig)
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0))
             for i, fig in enumerate(figures)]
    summary = "<pre>" + result.summary() + "</pre>"
    Path(path).write_text("<html><head><meta charset='utf-8'><title>synthohive_seed quality"
                          "</title></head><body><h1>Real vs synthetic</h1>" + summary
                          + "".join(parts) + "</body></html>\n")


def write_png(result: QualityResult, charts: list[Panel], path: str | Path) -> None:
    """One PNG: a grid of the same charts (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on servers and CI
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("a PNG report needs matplotlib: pip install matplotlib "
                          "(or write --html instead)", option="png") from None
    cells = len(charts) + 1
    cols = 3
    rows = (cells + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.4 * rows), squeeze=False)
    flat = axes.ravel()
    names = ["Overall", *result.properties]
    flat[0].bar(range(len(names)), [result.overall, *result.properties.values()])
    flat[0].set_xticks(range(len(names)), [n.replace(" ", "\n") for n in names], fontsize=7)
    flat[0].set_ylim(0, 1)
    flat[0].set_title("Quality (1.0 = same as real)")
    for ax, panel in zip(flat[1:], charts):
        if panel.categorical:
            shares = _shares(panel).head(12)
            x = np.arange(len(shares))
            ax.bar(x - 0.2, shares["real"], 0.4, label="real")
            ax.bar(x + 0.2, shares["synthetic"], 0.4, label="synthetic")
            ax.set_xticks(x, [str(v)[:10] for v in shares.index], rotation=45, fontsize=7)
        else:
            real, fake = _numbers(panel.real), _numbers(panel.synthetic)
            both = np.concatenate([real, fake])
            bins = np.histogram_bin_edges(both, bins=30) if both.size else 10
            ax.hist(real, bins=bins, alpha=0.5, density=True, label="real")
            ax.hist(fake, bins=bins, alpha=0.5, density=True, label="synthetic")
        ax.set_title(panel.title, fontsize=9)
        ax.legend(fontsize=7)
    for ax in flat[cells:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _shares(panel: Panel) -> pd.DataFrame:
    real = panel.real.astype("object").fillna("NULL").astype(str).value_counts(normalize=True)
    fake = panel.synthetic.astype("object").fillna("NULL").astype(str).value_counts(normalize=True)
    return pd.DataFrame({"real": real, "synthetic": fake}).fillna(0.0).sort_values(
        "real", ascending=False)


def _numbers(values: pd.Series) -> np.ndarray:
    present = values.dropna()
    if pd.api.types.is_datetime64_any_dtype(present):
        return present.astype("datetime64[us]").astype("int64").to_numpy() / 86_400_000_000.0
    return pd.to_numeric(present, errors="coerce").dropna().to_numpy(dtype="float64")
