"""Jobs: `python -m app.jobs.worker` runs them on schedule; `python -m app.jobs.aggregate`
and `python -m app.jobs.retention` run one step by hand."""
