"""Lambda entry point: `health.handler.handler`."""

from health.app import app
from service_kernel import lambda_handler

handler = lambda_handler(app)
