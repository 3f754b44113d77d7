"""The bare route `make bench` measures the health function's warm invocations
against: FastAPI and Mangum, one `async def` route, nothing else.

Copied into the baseline folder `make bench` builds; the benchmark imports it in
the health bundle's process, on the bundle's own FastAPI and Mangum.
"""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
