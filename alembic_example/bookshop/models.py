"""SQLAlchemy models of the bookshop at the head revision.

Revision history (``migrations/versions``): 0001 authors and books, 0002 adds the
``reviews`` table, 0003 adds ``books.page_count``. Keep these models and the newest
revision in step, as with any Alembic project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    country: Mapped[str] = mapped_column(sa.String(40))


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("authors.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    price: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    published: Mapped[dt.date]
    page_count: Mapped[int | None]  # added by revision 0003


class Review(Base):  # added by revision 0002
    __tablename__ = "reviews"
    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("books.id"))
    reviewer: Mapped[str] = mapped_column(sa.String(60))
    rating: Mapped[int]
    created_at: Mapped[dt.datetime]
