"""A WSGI request's body, read once by a layer in front of moto and put back for the next."""

from __future__ import annotations

import io
from typing import Any


def buffer_body(environ: dict[str, Any]) -> bytes:
    """The body, read whole; `environ` gets it back as a fresh stream, so the layers and
    the app behind read it again as if untouched."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        body = bytes(stream.read())
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = bytes(stream.read(length)) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body
