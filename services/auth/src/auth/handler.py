"""Lambda entry point of the API: `auth.handler.handler`."""

from auth.app import app
from service_kernel import lambda_handler

handler = lambda_handler(app)
