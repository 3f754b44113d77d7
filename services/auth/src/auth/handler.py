"""Lambda entry point of the API: `auth.handler.handler`."""

from service_kernel.init_phase import init_phase

with init_phase():
    from auth.app import app
    from auth.deps import identity_provider
    from service_kernel import lambda_handler

    # SnapStart's snapshot holds Cognito's client (its model loaded) and an app
    # that has answered one request: `/auth/me` without a caller, a 401, with
    # no AWS call and no connection to go stale. (The code rules stay out:
    # building them reads the stack's secrets from SSM, a call.)
    handler = lambda_handler(app, prime=identity_provider, priming_path="/auth/me")
