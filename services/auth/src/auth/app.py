"""The auth API: each route translates HTTP to one service function call and
back (auth.routes); the identity provider's refusals answer from one table
(auth.errors)."""

from __future__ import annotations

from auth.errors import ANSWERS
from auth.routes import password, passwordless, session
from auth.settings import settings
from service_kernel import create_app

app = create_app("auth", settings.version("auth"), docs=settings.enable_docs)
ANSWERS.install(app)
for module in (passwordless, password, session):
    app.include_router(module.router)
