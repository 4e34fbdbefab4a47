"""Parse the common forms of CHECK constraints into predicates the sampler can keep.

Understood: comparisons of a column with a constant or with another column
(``=, <>, !=, <, <=, >, >=``), ``BETWEEN``, ``IN (...)`` / ``NOT IN``, PostgreSQL's
``= ANY (ARRAY[...])``, ``IS [NOT] NULL``, and ``AND`` / ``OR`` / ``NOT`` of those, in
PostgreSQL, SQLite and MySQL spellings (casts like ``::text`` and brackets or backticks
around names are ignored). Anything else parses to :class:`Unknown`, which the sampler
reports and leaves to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Value = float | str | bool | None


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Const:
    value: Value


@dataclass(frozen=True)
class Compare:
    left: Column | Const
    op: str
    right: Column | Const


@dataclass(frozen=True)
class Between:
    column: Column
    low: Const
    high: Const


@dataclass(frozen=True)
class InList:
    column: Column
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsNull:
    column: Column
    negated: bool


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    parts: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not:
    part: Predicate


@dataclass(frozen=True)
class Unknown:
    sql: str


Predicate = Compare | Between | InList | IsNull | BoolOp | Not | Unknown

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<quoted>"(?:[^"]|"")*"|\[[^\]]*\]|`[^`]*`)
    | (?P<op><>|!=|<=|>=|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    )""",
    re.VERBOSE,
)
_CAST = re.compile(
    r"::\s*(?:character varying|double precision|bit varying"
    r"|(?:timestamp|time)(?:\(\d+\))? with(?:out)? time zone|\"[^\"]+\"|[A-Za-z_][\w.]*)"
    r"(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])?",
    re.IGNORECASE,
)
_ARRAY = re.compile(r"ARRAY\s*\[([^\[\]]*)\]", re.IGNORECASE)
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>", "!=": "<>"}


def parse_check(sql: str) -> Predicate:
    """The predicate of a CHECK constraint's SQL text; :class:`Unknown` if not understood."""
    text = _CAST.sub("", sql)
    text = _ARRAY.sub(r"(\1)", text)
    try:
        tokens = _tokenize(text)
        parser = _Parser(tokens)
        result = parser.expr()
        if parser.pos != len(tokens):
            return Unknown(sql)
        return result
    except _NotUnderstood:
        return Unknown(sql)


class _NotUnderstood(Exception):
    pass


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _NotUnderstood(text[pos:])
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else ("end", "")

    def word(self, *words: str) -> bool:
        kind, text = self.peek()
        if kind == "word" and text.upper() in words:
            self.pos += 1
            return True
        return False

    def take(self, text: str) -> None:
        if self.peek()[1] != text:
            raise _NotUnderstood(text)
        self.pos += 1

    def expr(self) -> Predicate:
        parts = [self.conjunction()]
        while self.word("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.word("AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def negation(self) -> Predicate:
        if self.word("NOT"):
            return Not(self.negation())
        return self.predicate()

    def predicate(self) -> Predicate:
        if self.peek()[1] == "(" and not self._is_parenthesised_operand():
            self.pos += 1
            inner = self.expr()
            self.take(")")
            return inner
        left = self.operand()
        if self.word("IS"):
            negated = self.word("NOT")
            if not self.word("NULL"):
                raise _NotUnderstood("IS")
            return IsNull(_column(left), negated)
        negated = self.word("NOT")
        if self.word("BETWEEN"):
            low = self.operand()
            if not self.word("AND"):
                raise _NotUnderstood("BETWEEN")
            high = self.operand()
            if negated or not isinstance(low, Const) or not isinstance(high, Const):
                raise _NotUnderstood("BETWEEN")
            return Between(_column(left), low, high)
        if self.word("IN"):
            return InList(_column(left), self.value_list(), negated)
        if negated:
            raise _NotUnderstood("NOT")
        kind, op = self.peek()
        if kind != "op":
            raise _NotUnderstood(op)
        self.pos += 1
        if self.word("ANY", "SOME") and op == "=":
            return InList(_column(left), self.value_list())
        if self.word("ALL") and op in ("<>", "!="):
            return InList(_column(left), self.value_list(), negated=True)
        right = self.operand()
        op = "<>" if op == "!=" else op
        if isinstance(left, Const) and isinstance(right, Column):
            return Compare(right, _FLIP[op], left)
        return Compare(left, op, right)

    def _is_parenthesised_operand(self) -> bool:
        # "(0)" in SQLite's "[Quantity]>(0)" is a constant, not a sub-expression.
        kinds = [self.peek(i)[0] for i in range(3)]
        return kinds[1] in ("number", "string") and self.peek(2)[1] == ")"

    def value_list(self) -> tuple[Value, ...]:
        self.take("(")
        if self.peek()[1] == "(":  # ANY ((ARRAY[...])) after cast removal
            inner = self.value_list()
            self.take(")")
            return inner
        values = [self._const().value]
        while self.peek()[1] == ",":
            self.pos += 1
            values.append(self._const().value)
        self.take(")")
        return tuple(values)

    def operand(self) -> Column | Const:
        kind, text = self.peek()
        if text == "(":
            self.pos += 1
            inner = self.operand()
            self.take(")")
            return inner
        if kind == "quoted":
            self.pos += 1
            return Column(text[1:-1].replace('""', '"'))
        if kind == "word" and text.upper() not in ("NULL", "TRUE", "FALSE"):
            if self.peek(1)[1] == "(":
                raise _NotUnderstood(text)  # a function call
            self.pos += 1
            return Column(text)
        return self._const()

    def _const(self) -> Const:
        kind, text = self.peek()
        self.pos += 1
        if kind == "string":
            return Const(text[1:-1].replace("''", "'"))
        if kind == "number":
            return Const(float(text))
        if kind == "word" and text.upper() in ("TRUE", "FALSE"):
            return Const(text.upper() == "TRUE")
        if kind == "word" and text.upper() == "NULL":
            return Const(None)
        raise _NotUnderstood(text)


def _column(operand: Column | Const) -> Column:
    if not isinstance(operand, Column):
        raise _NotUnderstood("constant where a column was expected")
    return operand


def columns_of(predicate: Predicate) -> set[str]:
    """Names of the columns a predicate reads."""
    if isinstance(predicate, Compare):
        return {o.name for o in (predicate.left, predicate.right) if isinstance(o, Column)}
    if isinstance(predicate, (Between, InList, IsNull)):
        return {predicate.column.name}
    if isinstance(predicate, BoolOp):
        return set().union(*(columns_of(p) for p in predicate.parts))
    if isinstance(predicate, Not):
        return columns_of(predicate.part)
    return set()
