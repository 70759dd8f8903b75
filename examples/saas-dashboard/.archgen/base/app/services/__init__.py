"""Application services: aggregation, reading, auditing, retention."""
