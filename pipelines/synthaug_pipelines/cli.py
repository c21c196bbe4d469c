"""`synthaug` command line: run experiments (through Prefect or directly) and list what is available."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import synthaug_pipelines  # noqa: F401 - sets Prefect environment defaults before prefect is imported
from synthaug.errors import (
    EXIT_BAD_INPUT,
    EXIT_CELLS_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_VALIDATION_FAILED,
    CellsFailed,
    InputError,
    ValidationFailed,
)
from synthaug_pipelines import api_server

if TYPE_CHECKING:
    from synthaug.config import ExperimentConfig

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Command, Callable[[argparse.ArgumentParser], None], str]] = {}
# Modules that register more subcommands on import (each calls `register`).
EXTRA_COMMAND_MODULES = ("synthaug_pipelines.ops_commands", "synthaug_pipelines.augment_commands")


def register(name: str, help_text: str, add_args: Callable[[argparse.ArgumentParser], None], do: Command) -> None:
    """Add a subcommand: `add_args` declares its arguments, `do` runs it and returns the exit code."""
    COMMANDS[name] = (do, add_args, help_text)


def command(name: str, help_text: str) -> Callable[[Callable[[argparse.ArgumentParser], None]],
                                                  Callable[[argparse.ArgumentParser], None]]:
    """Decorator form of `register` for this module: `do_<name>` must already be defined."""
    def wrap(add_args: Callable[[argparse.ArgumentParser], None]) -> Callable[[argparse.ArgumentParser], None]:
        register(name, help_text, add_args, globals()[f"do_{name.replace('-', '_')}"])
        return add_args
    return wrap


def do_run(args: argparse.Namespace) -> int:
    """Exit codes (synthaug.errors): 0 complete, 2 bad input, 3 complete with failed cells (report
    written, failed cells listed first), 4 stopped by `validation.policy: fail`, 130 interrupted."""
    # The temporary API server boots (about 3 s) beside the imports, config and data loading below; bad
    # input found meanwhile stops it again (the `finally`).
    server = None if args.direct or args.dry_run else api_server.launch()
    try:
        from synthaug.config import load_config, parse_set_args
        from synthaug_pipelines import interrupt

        overrides = parse_set_args(args.set)
        cfg = load_config(args.config, overrides)
        if args.dry_run:
            from synthaug.grid import plan
            from synthaug.runner import prepare
            from synthaug_pipelines.estimate import describe_plan

            prepare(cfg)
            print(describe_plan(cfg, plan(cfg)))
            return EXIT_OK
        with interrupt.handling():
            run_dir = _run_direct(cfg) if args.direct else _run_flow(args.config, overrides, server, cfg)
    finally:
        if server is not None:
            server.discard()
    from synthaug.layout import RunLayout
    from synthaug.outputs import run_status

    layout = RunLayout(run_dir)
    print(f"report: {layout.report_html.resolve()}")
    print(f"        {layout.report_md.resolve()}")
    _, failed = run_status(run_dir)
    if failed:
        print(f"warning: {len(failed)} cell(s) failed: {', '.join(failed)}. The report lists them first; running "
              "the same command again recomputes only those cells.", file=sys.stderr)
        return EXIT_CELLS_FAILED
    return EXIT_OK


def _check(cfg: ExperimentConfig) -> None:
    """Bad data, grid or runtime: exit 2 before any model starts (the early server and workers are stopped)."""
    from synthaug.preflight import check_runtime
    from synthaug.runner import prepare

    check_runtime(cfg.runtime)  # an unreachable Dask scheduler: exit 2 in seconds, naming the address
    prepare(cfg)


def _run_direct(cfg: ExperimentConfig) -> Path:
    from synthaug.experiment import run_experiment

    _check(cfg)
    return run_experiment(cfg)  # cells compute single-threaded in the library (synthaug.parallel)


def _run_flow(config: Path, overrides: dict | None, server: api_server.EarlyServer | None,
              cfg: ExperimentConfig) -> Path:
    """The flow run ends Failed when cells failed; its `CellsFailed` still carries the finished run folder.
    Process workers start first, before the preflight, so they import beside this process's own start-up."""
    from synthaug_pipelines.runners import prestarted_workers

    with prestarted_workers(cfg) as cached:
        _check(cfg)
        return _run_flow_now(config, overrides, server, draw=not cached)


def _run_flow_now(config: Path, overrides: dict | None, server: api_server.EarlyServer | None,
                  draw: bool = True) -> Path:
    from synthaug_pipelines.flow import augmentation_experiment  # imported while the early server boots

    if server is not None:
        from synthaug.reporting.report import import_sections_in_background

        import_sections_in_background(draw)  # while this process waits for the server to answer
        api_server.import_flow_call_modules()
        server.adopt()
    try:
        with api_server.flow_settings() if server is not None else contextlib.nullcontext():
            return Path(augmentation_experiment(str(config), overrides or None))
    except CellsFailed as exc:
        return Path(exc.run_dir)


@command("run", "run an experiment from a YAML config (embedded Prefect; no server needed)")
def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. protocol.repeats=5")
    p.add_argument("--direct", action="store_true", help="run the plain library loop without Prefect")
    p.add_argument("--dry-run", action="store_true", help="print the grid and an estimated time, fit nothing")


def do_report(args: argparse.Namespace) -> int:
    from synthaug.outputs import rebuild_report

    print(f"report: {rebuild_report(args.run_dir).resolve()}")
    return 0


@command("report", "re-render the report of a finished run folder")
def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dir", type=Path)


def do_datasets(args: argparse.Namespace) -> int:
    from synthaug.data import builtin_datasets

    for name, (kind, desc) in builtin_datasets().items():
        print(f"{name:<16} {kind:<8} {desc}")
    print("\nOr any CSV/Parquet file (dataset: {source: path.csv, target: column}), a folder with one "
          "subfolder per class, or an .npz with X and y (dataset.kind: images).")
    return 0


@command("datasets", "list built-in datasets")
def _datasets_args(p: argparse.ArgumentParser) -> None:
    pass


def do_generators(args: argparse.Namespace) -> int:
    from synthaug.generators import GENERATORS, generator_class

    generator_class("gaussian_copula")  # loads optional registrations (image generators)
    for name, spec in GENERATORS.items():
        role = "generative" if spec.generative else "baseline"
        print(f"{name:<20} {'/'.join(spec.kinds):<16} {role:<10} {spec.description}")
    return 0


@command("generators", "list generators and baselines")
def _generators_args(p: argparse.ArgumentParser) -> None:
    pass


def do_classifiers(args: argparse.Namespace) -> int:
    from synthaug.evaluation.classifiers import CLASSIFIERS

    for name, spec in CLASSIFIERS.items():
        print(f"{name:<24} {spec.family:<15} {'/'.join(spec.kinds):<16} {spec.description}")
    return 0


@command("classifiers", "list classifiers (generative models P(X|Y), discriminative P(Y|X))")
def _classifiers_args(p: argparse.ArgumentParser) -> None:
    pass


def build_parser() -> argparse.ArgumentParser:
    import importlib

    for module in EXTRA_COMMAND_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    parser = argparse.ArgumentParser(prog="synthaug", description="Does synthetic data help your classifier?")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, add_args, help_text) in COMMANDS.items():
        add_args(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    logging.getLogger("synthaug").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    try:
        return COMMANDS[args.command][0](args)
    except InputError as exc:
        print("error: " + textwrap.fill(str(exc), width=100, subsequent_indent="  "), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValidationFailed as exc:
        return _fail(f"error: validation.policy 'fail' stopped the run (no COMPLETE written): {exc}\n"
                     "  Use validation.policy: filter (drop failing rows) or warn (keep them) to let the run go on.",
                     EXIT_VALIDATION_FAILED)
    except BaseException as exc:
        from synthaug_pipelines import interrupt

        if not interrupt.is_interrupt(exc):
            raise
        interrupt.start_watchdog()
        interrupt.stop_children(keep_server=True)  # Prefect's exit flushes to its server, then stops it
        code = _fail(f"interrupted ({interrupt.signal_name()}): run stopped, workers ended, no COMPLETE written. "
                     "Run the same command again to resume: finished cells come from the cell cache.",
                     EXIT_INTERRUPTED)
        if getattr(args, "direct", False):  # nothing to flush (cache entries are written whole), and the
            from synthaug.parallel import exit_now  # process pool's exit hook can wait on its dead workers

            exit_now(code)
        return code


def _fail(message: str, code: int) -> int:
    """The message as written (its lines list expectations), to stderr; no traceback."""
    print(message, file=sys.stderr, flush=True)
    return code


def console() -> None:
    """The `synthaug` program: `main`, then out the way the interpreter leaves (threads joined, exit hooks
    run: the temporary server stops, Prefect flushes) minus its module-by-module teardown. Only a normal
    return takes this path; exceptions and argparse's exits leave as usual. `main` itself stays callable
    in-process (tests, notebooks)."""
    from synthaug.parallel import end_process

    end_process(main())


if __name__ == "__main__":
    # `python -m synthaug_pipelines.cli`: run the importable module, not this `__main__` copy, which the
    # extra command modules (they register into `synthaug_pipelines.cli`) would never see.
    from synthaug_pipelines.cli import console as _console

    _console()
