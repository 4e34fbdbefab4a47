"""Personal data: find the columns that hold it and generate them with Faker instead.

A column holds personal data when its name says so (``email``, ``FirstName``,
``billing_postal_code``, ``phone``, ``fax``, ``address``, ``city``, ``company``, ``ip``,
``card_number``, ``iban``, ``ssn``, ``comment``/``notes``...) or when most of its values
look like it (e-mail addresses, IP addresses, Luhn-valid card numbers, IBANs).
``TrainOptions.personal_data`` overrides per column (``{"users.nick": "username",
"users.city": "none"}``).

Such a column is taken out of every model: no GAN block, no category list, no text
shapes, no context or linkage feature. The only things kept are its kind, its NULL
share, its declared length and whether it is UNIQUE, so no source value of it can reach
the artifact or the output. Values are made up by Faker (``TrainOptions.faker_locale``),
one made-up person per row, so the e-mail matches the first and last name (drawn from
pools of Faker values re-mixed per row: see :meth:`PersonalData.sample`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema.model import ColumnSpec, TableSpec

KINDS = ("first_name", "last_name", "full_name", "email", "username", "phone", "street_address",
         "city", "postcode", "company", "ip", "card_number", "account_number", "national_id",
         "free_text")
"""Kinds of personal data, as :attr:`TrainOptions.personal_data` spells them (plus ``none``)."""

# Joined lower-case name fragments -> kind; the first rule that matches wins, so the more
# specific fragments ("emailaddress", "ipaddress") come before the general ones ("address").
_NAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("email", ("email", "mailaddress")),
    ("ip", ("ipaddress", "ipaddr", "ipv4", "ipv6")),
    ("first_name", ("firstname", "givenname", "forename")),
    ("last_name", ("lastname", "surname", "familyname")),
    ("full_name", ("fullname", "contactname", "personname", "customername", "displayname")),
    ("username", ("username", "nickname")),
    ("phone", ("phone", "faxnumber", "cellnumber")),
    ("postcode", ("postcode", "postalcode", "zipcode")),
    ("street_address", ("address", "street")),
    ("company", ("company", "employer")),
    ("card_number", ("cardnumber", "creditcard", "ccnumber", "cardno")),
    ("account_number", ("iban", "accountnumber", "accountno", "bankaccount")),
    ("national_id", ("nationalid", "passport", "taxid", "socialsecurity")),
    ("free_text", ("comment", "remark", "message")),
)
# Short words match whole tokens only ("city" must not match "capacity", "mobile" not
# "automobile"); ``name`` only in a table that holds people (see _PEOPLE).
_TOKEN_RULES = {"ip": "ip", "tel": "phone", "fax": "phone", "mobile": "phone", "cell": "phone",
                "mail": "email", "zip": "postcode", "city": "city", "town": "city",
                "fname": "first_name", "lname": "last_name", "login": "username",
                "ssn": "national_id", "notes": "free_text", "note": "free_text",
                "bio": "free_text", "name": "full_name"}
_PEOPLE = ("customer", "employee", "user", "person", "people", "member", "client", "contact",
           "staff", "patient", "student", "account")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_IPV4 = re.compile(r"^(\d{1,3}\.){3}\d{1,3}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")


def detect_personal(table: TableSpec, frame: pd.DataFrame, columns: list[str],
                    overrides: Mapping[str, str]) -> dict[str, str]:
    """Column -> kind of personal data, for the value ``columns`` of ``table``."""
    found: dict[str, str] = {}
    for name in columns:
        column = table.column(name)
        kind = overrides.get(f"{table.key}.{name}")
        if kind is None and column.kind in ("string", "other"):
            kind = kind_by_name(table, column) or kind_by_values(frame[name])
        if kind is not None and kind != "none":
            if kind not in KINDS:
                raise ConfigError(f"personal_data[{table.key}.{name!r}] is {kind!r}; use one of "
                                  f"{', '.join(KINDS)} or 'none'", option="personal_data",
                                  table=table.key)
            found[name] = kind
    return found


def kind_by_name(table: TableSpec, column: ColumnSpec) -> str | None:
    """The kind of personal data a column's name announces, None when it announces none."""
    tokens = re.findall(r"[a-z]+|[0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", column.name).lower())
    joined = "".join(tokens)
    for kind, fragments in _NAME_RULES:
        if any(fragment in joined for fragment in fragments):
            return kind
    for token in tokens:
        kind = _TOKEN_RULES.get(token)
        if kind == "full_name" and not any(p in table.name.lower() for p in _PEOPLE):
            continue  # Artist.Name, Genre.Name: names of things, not of people
        if kind is not None:
            return kind
    return None


def kind_by_values(values: pd.Series, share: float = 0.8) -> str | None:
    """A kind when at least ``share`` of a sample of the values has its pattern."""
    present = [str(v).strip() for v in values.dropna().head(500)]
    if len(present) < 5:
        return None
    checks: tuple[tuple[str, Callable[[str], bool]], ...] = (
        ("email", lambda v: bool(_EMAIL.match(v))),
        ("ip", lambda v: bool(_IPV4.match(v)) or (v.count(":") >= 2 and _hexish(v))),
        ("card_number", _luhn_card),
        ("account_number", lambda v: bool(_IBAN.match(v.replace(" ", "")))),
    )
    for kind, check in checks:
        if sum(check(v) for v in present) >= share * len(present):
            return kind
    return None


@dataclass
class PersonalData:
    """The personal-data columns of one table: kinds and counts only, never values."""

    kinds: dict[str, str] = field(default_factory=dict)
    null_shares: dict[str, float] = field(default_factory=dict)
    lengths: dict[str, int | None] = field(default_factory=dict)
    unique: list[str] = field(default_factory=list)
    """Columns under a single-column UNIQUE constraint: generated without repeats."""
    locale: str = "en_US"

    @classmethod
    def fit(cls, table: TableSpec, frame: pd.DataFrame, kinds: Mapping[str, str],
            locale: str) -> PersonalData:
        """Keep what generation needs; the column's values are only counted."""
        singles = {u[0] for u in table.unique if len(u) == 1}
        return cls(
            kinds=dict(kinds),
            null_shares={n: float(frame[n].isna().mean()) if len(frame) else 0.0 for n in kinds},
            lengths={n: table.column(n).length for n in kinds},
            unique=[n for n in kinds if n in singles],
            locale=locale,
        )

    def sample(self, n: int, seed: int, *, pool_seed: int | None = None) -> dict[str, list[object]]:
        """``n`` made-up values per column, one made-up person per row.

        Faker makes one value in tens of microseconds, so values are drawn from pools of
        at most :data:`POOL` Faker values per kind, re-mixed per row: a person's first
        and last names are drawn apart (pools of 1,024 give a million names) and the e-mail
        and username are built from that row's names; the digits of phone numbers,
        postcodes and street numbers are redrawn per row, so numbers rarely repeat; IP
        addresses are drawn directly. Card, account and national-id numbers, whose
        check digits depend on every digit, still come one by one from Faker.

        ``pool_seed`` (default ``seed``) seeds the pools; the blocks of one table share
        it, so its pools are made once per run (about 0.3 s for a table of addresses and
        companies), not once per block. The pools of the last ``pool_seed`` are kept.
        """
        fake = _faker(self.locale)
        fake.seed_instance(seed)
        rng = np.random.default_rng(seed)
        size = max(1, min(n, POOL))
        pool_key = seed if pool_seed is None else pool_seed
        pools = self._pools(pool_key, size)

        def pooled(kind: str) -> np.ndarray:
            if kind not in pools:
                # A Faker per kind, seeded by pool seed and kind: a pool is the same
                # whichever kinds were made before it.
                maker = _faker(self.locale)
                maker.seed_instance(f"{pool_key}:{kind}")
                pools[kind] = np.asarray([_make(maker, kind) for _ in range(size)], dtype=object)
            return pools[kind][rng.integers(0, size, n)]

        names: dict[str, np.ndarray] = {}

        def name(part: str) -> np.ndarray:
            if part not in names:
                names[part] = pooled(part)
            return names[part]

        out: dict[str, list[object]] = {}
        for column, kind in self.kinds.items():
            if kind in ("first_name", "last_name"):
                values = name(kind).tolist()
            elif kind == "full_name":
                values = [f"{a} {b}" for a, b in zip(name("first_name"), name("last_name"))]
            elif kind == "email":
                domains = pooled("email_domain")
                values = [f"{_ascii(a)}.{_ascii(b)}@{d}"
                          for a, b, d in zip(name("first_name"), name("last_name"), domains)]
            elif kind == "username":
                values = [f"{_ascii(a)[:1]}{_ascii(b)}"
                          for a, b in zip(name("first_name"), name("last_name"))]
            elif kind == "ip":
                octets = rng.integers(1, 255, size=(n, 4))
                values = [".".join(map(str, row)) for row in octets.tolist()]
            elif kind in _REDIGIT:
                values = _redigit(pooled(kind), rng)
            elif kind in ("card_number", "account_number", "national_id"):
                values = [_make(fake, kind) for _ in range(n)]
            else:  # city, company, free text: repeats are natural
                values = pooled(kind).tolist()
            out[column] = [_fit_value(v, self.lengths.get(column)) for v in values]
        for column in self.unique:
            out[column] = _distinct(out[column], self.lengths.get(column))
        for column, values in out.items():
            nulls = rng.random(n) < self.null_shares.get(column, 0.0)
            out[column] = [None if z else v for v, z in zip(values, nulls)]
        return out


    def _pools(self, pool_seed: int, size: int) -> dict[str, np.ndarray]:
        """The pools of ``(pool_seed, size)``: kept from an earlier call or new and empty."""
        cached: tuple[int, int, dict[str, np.ndarray]] | None = getattr(self, "_pool_cache", None)
        if cached is None or cached[:2] != (pool_seed, size):
            cached = (pool_seed, size, {})
            self._pool_cache = cached
        return cached[2]


POOL = 1024
"""Faker values made per kind and per pool seed of :meth:`PersonalData.sample`, at most."""
_REDIGIT = frozenset({"phone", "postcode", "street_address"})
"""Kinds whose digits are redrawn per row (their format comes from the pooled value)."""
_MAKERS: dict[str, str] = {
    "first_name": "first_name", "last_name": "last_name", "phone": "phone_number",
    "street_address": "street_address", "city": "city", "postcode": "postcode",
    "company": "company", "card_number": "credit_card_number", "account_number": "iban",
    "national_id": "ssn", "email_domain": "free_email_domain",
}


def _make(fake: Any, kind: str) -> str:
    """One Faker value of ``kind``."""
    if kind == "free_text":
        return str(fake.sentence(nb_words=8))
    return str(getattr(fake, _MAKERS[kind])())


def _redigit(values: np.ndarray, rng: np.random.Generator) -> list[str]:
    """``values`` with every ASCII digit replaced by a random one."""
    if not len(values):
        return []
    width = max(len(v) for v in values)
    if width == 0:
        return [str(v) for v in values]
    grid = np.array(values.tolist(), dtype=f"<U{width}").view("<U1").reshape(len(values), width)
    digits = np.isin(grid, list("0123456789"))
    grid[digits] = rng.integers(0, 10, int(digits.sum())).astype("<U1")
    return np.ascontiguousarray(grid).view(f"<U{width}").ravel().tolist()  # type: ignore[no-any-return]


def _faker(locale: str) -> Any:
    try:
        from faker import Faker
    except ImportError:  # one heavy-ish optional import, one hint
        raise ConfigError("generating personal data needs Faker: pip install faker",
                          option="personal_data") from None
    try:
        return Faker(locale)
    except AttributeError:
        raise ConfigError(f"faker_locale {locale!r} is not a Faker locale (e.g. en_US, de_DE)",
                          option="faker_locale") from None


def _distinct(values: list[object], length: int | None) -> list[object]:
    """Repeats get a number appended (inside the length), so a UNIQUE column loads."""
    seen: set[object] = set()
    out = []
    for value in values:
        candidate, counter = value, 1
        while candidate in seen:
            counter += 1
            text, suffix = str(value), str(counter)
            if "@" in text:  # keep e-mails valid: the number goes before the @
                local, _, domain = text.partition("@")
                room = None if length is None else length - len(domain) - 1 - len(suffix)
                candidate = _fit_value(f"{local[:room]}{suffix}@{domain}", length)
            else:
                candidate = _fit_length(text, None if length is None else length - len(suffix))
                candidate = f"{candidate}{suffix}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _fit_length(value: str, length: int | None) -> str:
    return value if length is None or len(value) <= length else value[: max(length, 0)]


def _fit_value(value: str, length: int | None) -> str:
    """Cut to ``length``; an e-mail loses letters of its local part, never its domain."""
    if length is None or len(value) <= length:
        return value
    local, at, domain = value.partition("@")
    room = length - len(domain) - 1
    if at and room >= 1:
        return f"{local[:room].rstrip('.') or local[:1]}@{domain}"
    return value[: max(length, 0)]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", plain.lower()) or "user"


def _hexish(value: str) -> bool:
    return all(part == "" or re.fullmatch(r"[0-9a-fA-F]{1,4}", part) for part in value.split(":"))


def _luhn_card(value: str) -> bool:
    digits = re.sub(r"[ -]", "", value)
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
