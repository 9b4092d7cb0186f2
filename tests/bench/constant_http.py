"""What HTTP alone costs: a bare ASGI app on the same uvicorn, answering with bytes prepared in advance.

The lineage benchmark PUTs the exact response aigraph gave for a walk, then POSTs the same request
to both servers in turn: the difference is what aigraph spends on GraphQL and on the walk, and
this server's own time is the floor no ASGI app on this HTTP stack goes below.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


def constant_app() -> ASGIApp:
    """A uvicorn factory: every POST gets the body of the last PUT (an empty JSON object at first)."""
    answer = [b"{}"]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = (await receive())["type"]
                if event == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        if scope["method"] == "PUT":
            answer[0] = b"".join(chunks)
        content = answer[0]
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return app
