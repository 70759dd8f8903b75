"""Scheduled jobs: `python -m app.jobs.aggregate`, `python -m app.jobs.retention`."""
