"""Lambda entry point: `items.handler.handler`."""

from items.app import app
from service_kernel import lambda_handler

handler = lambda_handler(app)
