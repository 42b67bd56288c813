"""Reporting and serving: `newscrawl serve` (Datasette), status, stats, output formats, terminal text."""
