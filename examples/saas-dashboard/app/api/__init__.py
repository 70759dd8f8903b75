"""HTTP API routers. Every route declares its role (see app/api/deps.py)."""
