"""The health function's own app behind Mangum alone, without the kernel's
invocation layer (the Lambda context in the logs, the cold-start and business
metrics, Tracer where a stack traces): what `make bench` compares the health
handler against, so what that layer costs a warm invocation with tracing off is
a figure.

Copied into the baseline folder `make bench` builds; the benchmark imports it in
the health bundle's process, where `health.app` is the bundle's own (the same
app object the handler serves).
"""

from mangum import Mangum

from health.app import app

handler = Mangum(app, lifespan="off")
