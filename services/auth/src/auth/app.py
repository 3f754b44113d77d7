from __future__ import annotations

from importlib.metadata import version

from auth.routes import password, passwordless, session
from auth.settings import settings
from service_kernel import create_app

VERSION = settings.service_version or version("auth")

app = create_app("auth", VERSION, docs=settings.enable_docs)
for module in (passwordless, password, session):
    app.include_router(module.router)
