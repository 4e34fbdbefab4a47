"""Generate JSON documents (JSON/JSONB columns, or text columns that hold JSON) by shape.

Each stored *skeleton* keeps a document's structure and keys; its string leaves keep
only their shape (see :mod:`.text`) and are refilled on generation, so output is valid
JSON of the source's forms without replaying source strings. Numbers, booleans and
nulls in the structure are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from .text import TextShapeGenerator, template_of

_MAX_SKELETONS = 200
_MAX_ITEMS = 20

Skeleton = object
"""Tagged JSON-compatible tree: ["s", template] | ["o", [[key, skel]...]] | ["a", [skel...]] | leaf."""


def looks_like_json(values: list[object]) -> bool:
    """True when every non-null value (of a sample) is a JSON object or array in text."""
    present = [v for v in values if isinstance(v, str)][:200]
    if not present:
        return False
    for text in present:
        if not text.lstrip().startswith(("{", "[")):
            return False
        try:
            json.loads(text)
        except ValueError:
            return False
    return True


@dataclass
class DocumentGenerator:
    """JSON documents of the source's shapes."""

    name: str
    skeletons: list[Skeleton] = field(default_factory=list)
    letters: TextShapeGenerator | None = None
    null_share: float = 0.0
    as_text: bool = True
    """Emit JSON text (text columns) rather than Python objects (JSON columns)."""

    @classmethod
    def fit(cls, name: str, values: list[object], *, as_text: bool) -> DocumentGenerator:
        docs = []
        for value in values:
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            docs.append(json.loads(value) if isinstance(value, (str, bytes)) else value)
        strings: list[object] = []
        skeletons = [_skeleton(d, strings) for d in docs[:_MAX_SKELETONS]] or [["o", []]]
        return cls(
            name=name,
            skeletons=skeletons,
            letters=TextShapeGenerator.fit(name, strings or ["a"], None),
            null_share=1.0 - len(docs) / len(values) if values else 0.0,
            as_text=as_text,
        )

    def sample(self, n: int, rng: np.random.Generator) -> list[object]:
        picks = rng.integers(0, len(self.skeletons), size=n)
        nulls = rng.random(n) < self.null_share
        out: list[object] = []
        for i, null in zip(picks, nulls):
            if null:
                out.append(None)
                continue
            doc = self._fill(self.skeletons[i], rng)
            out.append(json.dumps(doc, ensure_ascii=False) if self.as_text else doc)
        return out

    def _fill(self, skeleton: Skeleton, rng: np.random.Generator) -> object:
        if isinstance(skeleton, list) and len(skeleton) == 2 and skeleton[0] in ("s", "o", "a"):
            tag, body = skeleton
            if tag == "s":
                assert self.letters is not None
                return self.letters._fill(str(body), rng)
            if tag == "o":
                return {key: self._fill(value, rng) for key, value in body}  # type: ignore[union-attr]
            return [self._fill(item, rng) for item in body]  # type: ignore[union-attr]
        return skeleton


def _skeleton(doc: object, strings: list[object]) -> Skeleton:
    if isinstance(doc, str):
        strings.append(doc)
        return ["s", template_of(doc)]
    if isinstance(doc, dict):
        return ["o", [[str(k), _skeleton(v, strings)] for k, v in doc.items()]]
    if isinstance(doc, list):
        return ["a", [_skeleton(v, strings) for v in doc[:_MAX_ITEMS]]]
    return doc
