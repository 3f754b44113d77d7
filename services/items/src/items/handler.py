"""Lambda entry point: `items.handler.handler`."""

from service_kernel.init_phase import init_phase

with init_phase():
    from items.app import app
    from items.deps import repository
    from service_kernel import lambda_handler

    # SnapStart's snapshot holds the table's client (its model loaded) and an app
    # that has answered one request: unauthenticated, so a 401, with no AWS call
    # and no connection to go stale. (The cursor codec's key stays out: reading it
    # from SSM is a call.)
    handler = lambda_handler(app, prime=repository, priming_path="/items/snapstart-priming")
