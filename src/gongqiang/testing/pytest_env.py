"""Loaded by pytest before Django (see pyproject addopts): the environment every test run needs."""

import os

os.environ.setdefault("GONGQIANG_EPHEMERAL_KEY", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server
os.environ.setdefault("GONGQIANG_VAR", os.path.join(os.getcwd(), "var", "test"))
