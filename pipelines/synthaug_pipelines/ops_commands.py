"""Operations subcommands: `synthaug deploy`, `trigger`, `serve`, `prefect-yaml` and `cache info|clear`.

Imported by `cli.build_parser`; each command registers itself with `cli.register`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from synthaug.errors import EXIT_BAD_INPUT
from synthaug_pipelines.cli import register
from synthaug_pipelines.deployments import POOL

EXIT_FAILED = 1  # `trigger --wait`: the run did not complete; `prefect-yaml --check`: the file is stale


def _configs(paths: list[Path]) -> list[Path]:
    from synthaug_pipelines.deployments import example_configs

    return paths or example_configs()


def _schedule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("configs", nargs="*", type=Path, help="config files (default: every configs/*.yaml)")
    p.add_argument("--cron", help="cron schedule for every deployment (default: nightly from 02:00, staggered)")
    p.add_argument("--no-schedule", action="store_true", help="deploy without a schedule (trigger only)")


def do_deploy(args: argparse.Namespace) -> int:
    from synthaug_pipelines.deployments import build_specs, deploy

    specs = build_specs(_configs(args.configs), args.cron, not args.no_schedule)
    names = deploy(specs, args.pool)
    for spec, name in zip(specs, names):
        print(f"deployed {name:<40} schedule: {spec.cron or 'none'}  config: {spec.config_path}")
    print(f"\nStart a worker to run them:  prefect worker start --pool {args.pool}")
    print(f"Trigger one now:             synthaug trigger {specs[0].name if specs else 'NAME'} [--set key=value]")
    return 0


def _deploy_args(p: argparse.ArgumentParser) -> None:
    _schedule_args(p)
    p.add_argument("--pool", default=POOL, help=f"process work pool (created if missing; default {POOL})")


def do_serve(args: argparse.Namespace) -> int:
    from synthaug_pipelines.deployments import build_specs, serve

    specs = build_specs(_configs(args.configs), args.cron, not args.no_schedule)
    for spec in specs:
        print(f"serving augmentation-experiment/{spec.name}  schedule: {spec.cron or 'none'}")
    serve(specs)
    return 0


def do_trigger(args: argparse.Namespace) -> int:
    from prefect.exceptions import ObjectNotFound

    from synthaug.config import parse_set_args
    from synthaug_pipelines.deployments import flow_run_url, trigger

    overrides = parse_set_args(args.set)
    try:
        run = trigger(args.name, overrides or None, args.wait)
    except ObjectNotFound:
        print(f"error: no deployment {args.name!r} on the Prefect API; run `synthaug deploy` first and check "
              "PREFECT_API_URL points at the server (e.g. http://127.0.0.1:4200/api)", file=sys.stderr)
        return EXIT_BAD_INPUT
    state = run.state.type.value if run.state else "UNKNOWN"
    print(f"flow run {run.id} ({run.name}) state {state}")
    url = flow_run_url(run.id)
    if url:
        print(f"watch it: {url}")
    if args.wait is not None:
        return 0 if state == "COMPLETED" else EXIT_FAILED
    return 0


def _trigger_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="deployment name (the config's file stem), e.g. quickstart")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key for this run")
    p.add_argument("--wait", type=float, metavar="SECONDS", help="wait for the run to finish (exit 1 unless completed)")


def do_prefect_yaml(args: argparse.Namespace) -> int:
    """Write prefect.yaml from the deployment definitions, or with --check say whether it is current."""
    from synthaug_pipelines.deployments import PREFECT_YAML, example_prefect_yaml, project_root

    path = project_root() / PREFECT_YAML
    text = example_prefect_yaml()
    current = path.read_text() if path.is_file() else ""
    if args.check:
        if current != text:
            print(f"{path} is out of date: run `synthaug prefect-yaml`", file=sys.stderr)
            return EXIT_FAILED
        print(f"{path} is up to date")
        return 0
    path.write_text(text)
    print(f"wrote {path} ({text.count('- name: ')} deployments)")
    return 0


def _prefect_yaml_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="only check the file is current (exit 1 if not)")


def do_cache(args: argparse.Namespace) -> int:
    from synthaug.store import cache_info, clear_cache

    cache_dir, max_gb = _cache_location(args)
    if args.action == "clear":
        n = clear_cache(cache_dir, args.store)
        print(f"removed {n} entries from {cache_dir}" + (f" ({args.store})" if args.store else ""))
        return 0
    info = cache_info(cache_dir)
    total = sum(row["bytes"] for row in info.values())
    print(f"cache {Path(cache_dir).resolve()}: {total / 1024**2:.1f} MiB of {max_gb:g} GiB "
          "(least recently used entries are evicted beyond the limit)")
    for group, row in sorted(info.items()):
        last = dt.datetime.fromtimestamp(row["last_used"]).isoformat(timespec="seconds")
        print(f"  {group:<22} {row['entries']:>6} entries {row['bytes'] / 1024**2:>10.1f} MiB  last used {last}")
    if not info:
        print("  (empty)")
    return 0


def _cache_location(args: argparse.Namespace) -> tuple[str, float]:
    """The cache folder and size limit: from --dir, else from a config's runtime, else the defaults."""
    from synthaug.config import RuntimeConfig, load_config

    runtime = load_config(args.config).runtime if args.config else RuntimeConfig()
    return (str(args.dir) if args.dir else runtime.cache_dir), runtime.cache_max_gb


def _cache_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("info", "clear"))
    p.add_argument("--config", type=Path, help="use this config's runtime.cache_dir and cache_max_gb")
    p.add_argument("--dir", type=Path, help="cache folder (default: data/cache)")
    p.add_argument("--store", choices=("models", "cells"), help="clear only fitted models or only finished cells")


register("deploy", "register scheduled deployments (process work pool) for configs", _deploy_args, do_deploy)
register("serve", "serve scheduled deployments from this process (no work pool needed)", _schedule_args, do_serve)
register("trigger", "start a run of a deployment, e.g. `synthaug trigger quickstart --set protocol.repeats=5`",
         _trigger_args, do_trigger)
register("prefect-yaml", "regenerate prefect.yaml (for `prefect deploy --all`) from configs/*.yaml",
         _prefect_yaml_args, do_prefect_yaml)
register("cache", "show or clear the fitted-model and finished-cell cache", _cache_args, do_cache)
