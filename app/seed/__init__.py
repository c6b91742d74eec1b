"""Realistic bulk content (members, Vorhaben, comments, signals) for benchmarks.

`seed(engine, members=..., vorhaben=..., comments=..., out=print)` writes straight into the
tables with SQLAlchemy Core in batches (the services would be far too slow for a million
comments); the registry of municipalities must be imported first.
"""

from app.seed.runner import SeedResult, seed

__all__ = ["SeedResult", "seed"]
