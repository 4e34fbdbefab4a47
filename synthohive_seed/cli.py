"""Command line: parse flags, build the options, call the API, turn errors into exit codes.

Exit codes: 0 done, 1 seeding failed (schema, training or write error), 2 bad usage
or option, 3 a database could not be reached, 70 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import resources

from .connection import display_url
from .errors import ConfigError, ConnectionFailed, SeedError
from .sampling.plan import check_num_rows
from .synthesizer import Synthesizer

log = logging.getLogger("synthohive_seed")


def sample_database_url() -> str:
    """URL of the Chinook SQLite copy shipped with the package (MIT, see data/)."""
    path = resources.files("synthohive_seed") / "data" / "chinook.sqlite"
    # Read-only: training must never modify the shipped sample.
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m synthohive_seed",
        description="Learn a database's tables and fill another database (or Delta tables) "
        "with synthetic rows whose keys are all valid.",
    )
    parser.add_argument("--db-url", default=os.environ.get("SEED_DB_URL"),
                        help="source database to learn from (SQLAlchemy URL; env SEED_DB_URL). "
                        "Default: the Chinook sample database shipped with the package")
    out = parser.add_argument_group("output (one of)")
    out.add_argument("--target-url", default=os.environ.get("SEED_TARGET_URL"),
                     help="database to fill (env SEED_TARGET_URL); missing tables are created, "
                     "everything is inserted in one transaction")
    out.add_argument("--output-path", help="directory for one Delta table per table")
    out.add_argument("--output-format", choices=["delta"], default=None,
                     help="format for --output-path (default and only choice: delta)")
    out.add_argument("--overwrite", action="store_true",
                     help="replace Delta tables that already exist under --output-path")
    out.add_argument("--dry-run", action="store_true",
                     help="train, then print the sampling plan and write nothing")
    parser.add_argument("--num-rows", action="append", default=[], metavar="TABLE=N",
                        help="rows for a root table (repeatable); roots not named keep their "
                        "source row count")
    parser.add_argument("--schema", action="append", default=[], metavar="NAME",
                        help="database schema to read (repeatable); default: the default schema")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives "
                        "the same rows (default 0)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs per table (default 100)")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", action="store_true", help="no progress bars or messages")
    verbosity.add_argument("--progress", action="store_true",
                           help="progress bars even when not on a terminal")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    return parser


def parse_num_rows(items: Sequence[str]) -> dict[str, int]:
    """``["Artist=100"]`` -> ``{"Artist": 100}``; bad items raise ConfigError."""
    rows: dict[str, int] = {}
    for item in items:
        table, sep, count = item.rpartition("=")
        if not sep or not table:
            raise ConfigError(f"--num-rows expects TABLE=N, got {item!r}", option="num_rows")
        try:
            rows[table] = int(count)
        except ValueError:
            raise ConfigError(f"--num-rows {item!r}: {count!r} is not a whole number",
                              option="num_rows", table=table) from None
    return rows


def run(args: argparse.Namespace) -> int:
    """Carry out one parsed command line; raises SeedError on failure."""
    progress = args.progress or (not args.quiet and sys.stderr.isatty())
    if args.output_format and not args.output_path:
        raise ConfigError("--output-format delta needs --output-path", option="output_path")
    if not (args.target_url or args.output_path or args.dry_run):
        raise ConfigError("say where the rows go: --target-url URL or --output-path DIR "
                          "(or --dry-run)", option="target_url")
    if args.target_url and args.output_path:
        raise ConfigError("give --target-url or --output-path, not both", option="output_path")
    num_rows = parse_num_rows(args.num_rows)
    source = args.db_url or sample_database_url()
    options: dict[str, object] = {"seed": args.seed}
    if args.epochs is not None:
        options["epochs"] = args.epochs
    say = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    say(f"reading {display_url(source) if args.db_url else 'the bundled Chinook sample'}")
    synth = Synthesizer.from_url(source, schemas=args.schema, progress=progress, **options)
    check_num_rows(synth.schema, num_rows)  # before spending time on training
    say(f"training {len(synth.schema.tables)} tables")
    synth.fit()
    if args.dry_run:
        print(synth.plan(num_rows).describe())
        return 0
    if args.target_url:
        counts = synth.sample(num_rows, target_url=args.target_url)
        total = sum(int(n) for n in counts.values())  # type: ignore[call-overload]
        say(f"wrote {len(counts)} tables ({total} rows) to {display_url(args.target_url)}")
    else:
        paths = synth.sample(num_rows, args.output_path, output_format="delta",
                             overwrite=args.overwrite)
        say(f"wrote {len(paths)} Delta tables under {args.output_path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m synthohive_seed``; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s")
    try:
        return run(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ConnectionFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was committed", file=sys.stderr)
        return 130
    except Exception as exc:  # the CLI's edge: one line, never a traceback unless asked
        if args.debug:
            raise
        print(f"internal error: {exc.__class__.__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return 70
