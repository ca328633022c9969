"""The six services of the platform, one package each (see docs/architecture.md)."""
