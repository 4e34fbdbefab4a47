"""Regenerate the example's dataset in data/ (deterministic: the same files every time).

    python make_data.py

Stands in for an export of production rows (``COPY ... TO`` or ``pd.read_sql``). The
files are committed, so run.sh needs neither this script nor a production database.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "data"

FIRST = ["Amara", "Jonas", "Mei", "Tomasz", "Ines", "Kwame", "Sofia", "Rahul", "Elena",
         "Hiroshi", "Nadia", "Pedro", "Ingrid", "Omar", "Claire", "Dmitri", "Lucia", "Ade"]
LAST = ["Okafor", "Lindqvist", "Tanaka", "Novak", "Moreau", "Mensah", "Rossi", "Iyer",
        "Petrova", "Sato", "Haddad", "Alves", "Berg", "Farouk", "Dubois", "Volkov", "Reyes"]
COUNTRIES = ["United Kingdom", "United States", "Nigeria", "Japan", "France", "Poland",
             "India", "Brazil", "Sweden", "Italy"]
ADJ = ["Silent", "Broken", "Golden", "Hidden", "Last", "Northern", "Paper", "Quiet",
       "Burning", "Distant", "Winter", "Glass", "Crooked", "Salt", "Velvet"]
NOUN = ["Harbour", "Garden", "Orchard", "Archive", "Lighthouse", "River", "Mirror",
        "Atlas", "Kingdom", "Letters", "Machine", "Season", "Bridge", "Map", "Choir"]


def build(seed: int = 2026) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_authors = 40
    authors = pd.DataFrame({
        "id": range(1, n_authors + 1),
        "name": [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(n_authors)],
        "country": rng.choice(COUNTRIES, n_authors,
                              p=[.22, .25, .06, .08, .09, .05, .08, .05, .05, .07]),
    })
    books_per_author = rng.geometric(0.3, n_authors)  # most write 1-4 books, a few many
    author_of = np.repeat(authors["id"].to_numpy(), books_per_author)
    n_books = len(author_of)
    titles = [f"The {rng.choice(ADJ)} {rng.choice(NOUN)}" if rng.random() < .7
              else f"{rng.choice(NOUN)}s of {rng.choice(ADJ)} {rng.choice(NOUN)}"
              for _ in range(n_books)]
    published = [dt.date(1955, 1, 1) + dt.timedelta(days=int(d))
                 for d in rng.integers(0, 25_000, n_books)]
    pages = pd.array(np.clip(rng.normal(330, 90, n_books), 96, 900).round().astype(int),
                     dtype="Int64")
    pages[rng.random(n_books) < .12] = pd.NA  # books catalogued before revision 0003
    books = pd.DataFrame({
        "id": range(1, n_books + 1),
        "author_id": author_of,
        "title": titles,
        "price": (np.round(rng.lognormal(2.6, 0.35, n_books)) - 0.01).clip(4.99),
        "published": published,
        "page_count": pages,
    })
    reviews_per_book = rng.poisson(3.2, n_books)
    book_of = np.repeat(books["id"].to_numpy(), reviews_per_book)
    n_reviews = len(book_of)
    pub = dict(zip(books["id"], books["published"]))
    reviews = pd.DataFrame({
        "id": range(1, n_reviews + 1),
        "book_id": book_of,
        "reviewer": [f"{rng.choice(FIRST).lower()}{int(rng.integers(1, 99))}"
                     for _ in range(n_reviews)],
        "rating": rng.choice([1, 2, 3, 4, 5], n_reviews, p=[.05, .08, .17, .35, .35]),
        "created_at": [max(dt.datetime(2012, 1, 1), dt.datetime.combine(pub[b], dt.time()))
                       + dt.timedelta(minutes=int(m))
                       for b, m in zip(book_of, rng.integers(0, 5_000_000, n_reviews))],
    })
    return {"authors": authors, "books": books, "reviews": reviews}


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for name, frame in build().items():
        frame.to_csv(DATA / f"{name}.csv", index=False)
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main()
