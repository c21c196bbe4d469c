"""The report: an ordered list of sections rendered to report.md and a self-contained report.html."""

from synthaug.reporting.report import ReportContext, build_report

__all__ = ["ReportContext", "build_report"]
