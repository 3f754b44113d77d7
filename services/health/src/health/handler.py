"""Lambda entry point: `health.handler.handler`."""

from service_kernel.init_phase import init_phase

with init_phase():
    from health.app import app
    from health.checks import build_clients
    from service_kernel import lambda_handler

    # SnapStart's snapshot holds the readiness checks' clients and an app that
    # has answered /healthz once.
    handler = lambda_handler(app, prime=build_clients, priming_path="/healthz")
