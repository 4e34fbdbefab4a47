"""Command line: parse flags, build the options, call the API, turn errors into exit codes.

Forms::

    python -m synthohive_seed [--db-url SRC] (--target-url DST | --output-path DIR) ...   one shot
    python -m synthohive_seed train --db-url SRC --model-path PATH [--epochs N] ...      phase 1
    python -m synthohive_seed sample --model-path PATH (--target-url DST | ...) ...      phase 2
    python -m synthohive_seed report --db-url REAL --synthetic-url SYN [--json P] [--html P]  quality

Exit codes: 0 done, 1 seeding failed (schema, training, artifact or write error), 2 bad
usage or option, 3 a database could not be reached, 70 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib import resources

from tqdm.contrib.logging import logging_redirect_tqdm

from .connection import display_url
from .errors import ConfigError, ConnectionFailed, SeedError
from .sampling.plan import check_num_rows
from .synthesizer import Synthesizer, append_seed

log = logging.getLogger("synthohive_seed")


def sample_database_url() -> str:
    """URL of the Chinook SQLite copy shipped with the package (MIT, see data/)."""
    path = resources.files("synthohive_seed") / "data" / "chinook.sqlite"
    # Read-only: training must never modify the shipped sample.
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def build_parser() -> argparse.ArgumentParser:
    """Flags of the one-shot form: learn a source and write rows in one run."""
    parser = argparse.ArgumentParser(
        prog="python -m synthohive_seed",
        description="Learn a database's tables and fill another database (or Delta tables) "
        "with synthetic rows whose keys are all valid.",
        epilog="Two phases instead of one: `python -m synthohive_seed train --help` (learn and "
        "save a model) and `python -m synthohive_seed sample --help` (seed from a saved model). "
        "Quality: `python -m synthohive_seed report --help`.",
    )
    _add_source(parser)
    _add_output(parser, dry_run="train, then print the sampling plan and write nothing")
    _add_rows(parser, seed_help="random seed for training and sampling; the same seed gives "
              "the same rows (default 0; appending to tables that hold rows without --seed "
              "samples with a seed derived from what they hold, so appends differ)")
    _add_verbosity(parser)
    return parser


COMMANDS = ("train", "sample", "report")
"""Subcommands of the two-phase form; without one, the one-shot form runs."""


def build_train_parser() -> argparse.ArgumentParser:
    """Flags of ``train``: learn a database and save the model, write no rows."""
    parser = argparse.ArgumentParser(
        prog="python -m synthohive_seed train",
        description="Learn a database's tables and save the trained model (no source rows, "
        "no pickle) to a directory that `sample` reads.")
    _add_source(parser)
    parser.add_argument("--model-path", required=True, metavar="DIR",
                        help="directory to write the model to (created; an older model there "
                        "is replaced)")
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    _add_verbosity(parser)
    return parser


def build_sample_parser() -> argparse.ArgumentParser:
    """Flags of ``sample``: load a saved model and write rows, no source database needed."""
    parser = argparse.ArgumentParser(
        prog="python -m synthohive_seed sample",
        description="Load a model saved by `train` and fill a database (or Delta tables) "
        "with synthetic rows whose keys are all valid.")
    parser.add_argument("--model-path", required=True, metavar="DIR",
                        help="directory written by `train`")
    _add_output(parser, dry_run="print the sampling plan and write nothing")
    _add_rows(parser, seed_help="random seed; the same model and seed give the same rows "
              "(default: the model's training seed; appending to tables that hold rows without "
              "--seed samples with a seed derived from what they hold, so appends differ)")
    _add_verbosity(parser)
    return parser


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db-url", default=os.environ.get("SEED_DB_URL"),
                        help="source database to learn from (SQLAlchemy URL; env SEED_DB_URL). "
                        "Default: the Chinook sample database shipped with the package")
    parser.add_argument("--schema", action="append", default=[], metavar="NAME",
                        help="database schema to read (repeatable); default: the default schema")
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs per table (default 100)")


def _add_output(parser: argparse.ArgumentParser, *, dry_run: str) -> None:
    out = parser.add_argument_group("output (one of)")
    out.add_argument("--target-url", default=os.environ.get("SEED_TARGET_URL"),
                     help="database to fill (env SEED_TARGET_URL); missing tables are created, "
                     "everything is inserted in one transaction")
    out.add_argument("--output-path", help="directory for one Delta table per table")
    out.add_argument("--output-format", choices=["delta"], default=None,
                     help="format for --output-path (default and only choice: delta)")
    out.add_argument("--overwrite", action="store_true",
                     help="replace Delta tables that already exist under --output-path")
    out.add_argument("--dry-run", action="store_true", help=dry_run)


def _add_rows(parser: argparse.ArgumentParser, *, seed_help: str) -> None:
    parser.add_argument("--num-rows", action="append", default=[], metavar="TABLE=N",
                        help="rows for a root table (repeatable); roots not named keep their "
                        "source row count")
    parser.add_argument("--seed", type=int, default=None, help=seed_help)
    parser.add_argument("--if-exists", choices=["error", "append", "truncate"], default="error",
                        help="target tables that already hold rows: refuse (error, default), add "
                        "rows with keys above theirs (append), or empty them in the same "
                        "transaction (truncate)")
    parser.add_argument("--precision", choices=["auto", "float32"], default="auto",
                        help="generator arithmetic: auto uses bfloat16 in hidden layers on CPUs "
                        "with native bfloat16 instructions (faster); float32 never does, so a "
                        "seed gives the same rows on every kind of CPU (default auto)")
    parser.add_argument("--fk-checks", choices=["on", "off"], default="on",
                        help="off: switch the target's FK checks off for the load (needed for "
                        "FK cycles of NOT NULL columns; needs the right to do so)")


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", action="store_true", help="no progress bars or messages")
    verbosity.add_argument("--progress", action="store_true",
                           help="progress bars even when not on a terminal")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


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
    """Carry out one parsed one-shot command line; raises SeedError on failure."""
    _check_destination(args)
    num_rows = parse_num_rows(args.num_rows)
    source = args.db_url or sample_database_url()
    say = _say(args)
    say(f"reading {display_url(source) if args.db_url else 'the bundled Chinook sample'}")
    synth = _source(args, source)
    check_num_rows(synth.schema, num_rows)  # before spending time on training
    if args.target_url and args.if_exists == "error" and not args.dry_run:
        held = synth.rows_in(args.target_url)
        if held:
            key = next(iter(held))
            raise ConfigError(f"target table {key} already holds {held[key]} rows; nothing was "
                              "written. Use --if-exists append to add rows or --if-exists "
                              "truncate to replace them", option="if_exists", table=key)
    say(f"training {len(synth.schema.tables)} tables")
    synth.fit()
    return _write(synth, num_rows, args)


def run_train(args: argparse.Namespace) -> int:
    """``train``: learn the source and save the model to ``--model-path``."""
    source = args.db_url or sample_database_url()
    say = _say(args)
    say(f"reading {display_url(source) if args.db_url else 'the bundled Chinook sample'}")
    synth = _source(args, source)
    say(f"training {len(synth.schema.tables)} tables")
    path = synth.fit().save(args.model_path)
    say(f"saved the model of {len(synth.schema.tables)} tables to {path}")
    return 0


def run_sample(args: argparse.Namespace) -> int:
    """``sample``: load the model at ``--model-path`` and write rows where asked."""
    _check_destination(args)
    num_rows = parse_num_rows(args.num_rows)
    synth = Synthesizer.load(args.model_path, progress=_progress(args))
    check_num_rows(synth.schema, num_rows)
    return _write(synth, num_rows, args)


def _source(args: argparse.Namespace, source: str) -> Synthesizer:
    options: dict[str, object] = {"seed": 0 if args.seed is None else args.seed}
    if args.epochs is not None:
        options["epochs"] = args.epochs
    return Synthesizer.from_url(source, schemas=args.schema, progress=_progress(args), **options)


def _check_destination(args: argparse.Namespace) -> None:
    """Refuse a missing or doubled destination before any slow work."""
    if args.output_format and not args.output_path:
        raise ConfigError("--output-format delta needs --output-path", option="output_path")
    if not (args.target_url or args.output_path or args.dry_run):
        raise ConfigError("say where the rows go: --target-url URL or --output-path DIR "
                          "(or --dry-run)", option="target_url")
    if args.target_url and args.output_path:
        raise ConfigError("give --target-url or --output-path, not both", option="output_path")
    if not args.target_url:
        for flag, value, default in (("if-exists", args.if_exists, "error"),
                                     ("fk-checks", args.fk_checks, "on")):
            if value != default:
                raise ConfigError(f"--{flag} applies to --target-url only",
                                  option=flag.replace("-", "_"))


def _write(synth: Synthesizer, num_rows: dict[str, int], args: argparse.Namespace) -> int:
    say = _say(args)
    if args.dry_run:
        held = synth.rows_in(args.target_url) if args.target_url else {}
        seed = args.seed
        if args.if_exists == "append" and seed is None and held:
            # The seed the real append would use (derived from what the target holds).
            seed = append_seed(synth.options.seed, held)
        print(synth.plan(num_rows, seed=seed, precision=args.precision).describe())
        if args.target_url:
            print(synth.drift(args.target_url).describe())
            if held:
                action = {"error": "refuse to write (holds rows: use --if-exists)",
                          "append": "add rows to", "truncate": "empty first (in the load's "
                          "transaction)"}[args.if_exists]
                print(f"the target already holds rows; it would {action}:")
                for key, count in held.items():
                    print(f"  {key}: {count} rows")
        return 0
    if args.target_url:
        counts = synth.sample(num_rows, target_url=args.target_url, seed=args.seed,
                              if_exists=args.if_exists, fk_checks=args.fk_checks,
                              precision=args.precision)
        total = sum(int(n) for n in counts.values())  # type: ignore[call-overload]
        say(f"wrote {len(counts)} tables ({total} rows) to {display_url(args.target_url)}")
    else:
        paths = synth.sample(num_rows, args.output_path, output_format="delta",
                             overwrite=args.overwrite, seed=args.seed,
                             precision=args.precision)
        say(f"wrote {len(paths)} Delta tables under {args.output_path}")
    return 0


def _progress(args: argparse.Namespace) -> bool:
    return bool(args.progress or (not args.quiet and sys.stderr.isatty()))


def _say(args: argparse.Namespace) -> Callable[[str], None]:
    if args.quiet:
        return lambda msg: None
    return lambda msg: print(msg, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m synthohive_seed``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # The two-phase form is chosen by its first word; anything else is the one-shot form,
    # so existing command lines keep working unchanged.
    command = argv[0] if argv and argv[0] in COMMANDS else None
    if command == "train":
        args, runner = build_train_parser().parse_args(argv[1:]), run_train
    elif command == "sample":
        args, runner = build_sample_parser().parse_args(argv[1:]), run_sample
    elif command == "report":  # real vs synthetic quality, see synthohive_seed/quality/
        from .quality.command import build_report_parser, run_report

        args, runner = build_report_parser().parse_args(argv[1:]), run_report
    else:
        args, runner = build_parser().parse_args(argv), run
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s")
    try:
        # Log lines go through tqdm while bars are drawn, so notices do not break them.
        with logging_redirect_tqdm():
            return runner(args)
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
