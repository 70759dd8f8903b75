"""Settings, database and security primitives."""
