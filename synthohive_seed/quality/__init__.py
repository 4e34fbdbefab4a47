"""The quality report: real vs synthetic, scored with SDMetrics, as JSON and pictures.

``evaluate(schema, real, synthetic)`` takes two dicts of DataFrames (an in-memory
result of ``Synthesizer.sample()`` included); :mod:`.sources` reads either side from a
database URL or a directory of Delta tables; :mod:`.plots` draws HTML or PNG.
"""

from .report import PROPERTIES, QualityResult, evaluate

__all__ = ["PROPERTIES", "QualityResult", "evaluate"]
