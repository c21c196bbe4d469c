"""Prefect flows, deployments and the `synthaug` CLI (orchestration only; the work lives in `synthaug`)."""

import os

# Safe defaults for an embedded (ephemeral) Prefect: no analytics calls, room for a slow first start,
# and the library's logger shown in flow-run logs. Users' own settings win.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "synthaug")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
