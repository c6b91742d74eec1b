"""The framework floor for bench/exchange.py: FastAPI with one tiny JSON endpoint.

.venv/bin/uvicorn bench.bare_app:app --workers 1 --port 8766
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}
