"""A partner's webhook receiver for bench/export.py: verifies, counts, answers 204.

.venv/bin/uvicorn bench.webhook_receiver:app --port 8767

Every endpoint `/hook/{n}` has the secret in the environment variable BENCH_SECRET_{n}
(`whsec_…`); each delivery is verified with the reference `standardwebhooks` library.
`GET /stats` returns the counts; `POST /reset` clears them.
"""

from __future__ import annotations

import os
from collections import Counter

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

received: Counter[str] = Counter()
invalid: Counter[str] = Counter()
ids: set[tuple[str, str]] = set()
events: Counter[str] = Counter()
verifiers: dict[str, Webhook] = {}


def _verifier(endpoint: str) -> Webhook | None:
    if endpoint not in verifiers:
        secret = os.environ.get(f"BENCH_SECRET_{endpoint}")
        if secret is None:
            return None
        verifiers[endpoint] = Webhook(secret)
    return verifiers[endpoint]


async def hook(request: Request) -> Response:
    endpoint = request.path_params["n"]
    body = await request.body()
    verifier = _verifier(endpoint)
    try:
        if verifier is None:
            raise WebhookVerificationError("no secret for this endpoint")
        payload = verifier.verify(body, dict(request.headers))
    except WebhookVerificationError:
        invalid[endpoint] += 1
        return Response(status_code=400)
    received[endpoint] += 1
    ids.add((endpoint, request.headers["webhook-id"]))
    events[str(payload["type"])] += 1
    return Response(status_code=204)


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "received": sum(received.values()),
            "unique": len(ids),
            "invalid": sum(invalid.values()),
            "endpoints": len(received),
            "events": dict(events),
        }
    )


async def reset(request: Request) -> Response:
    received.clear()
    invalid.clear()
    ids.clear()
    events.clear()
    return Response(status_code=204)


app = Starlette(
    routes=[
        Route("/hook/{n}", hook, methods=["POST"]),
        Route("/stats", stats),
        Route("/reset", reset, methods=["POST"]),
    ]
)
