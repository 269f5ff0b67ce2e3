"""Request id and audit attribution, idle-session expiry, secure headers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .audit import audit_context

Handler = Callable[[HttpRequest], HttpResponse]


class StripNulMiddleware:
    """Drops NUL characters from query parameters: PostgreSQL refuses them in text, which would turn a
    stray %00 in a search box into a 500 on every page that filters by text."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.META.get("QUERY_STRING", ""):
            cleaned = request.GET.copy()
            for key in list(cleaned):
                cleaned.setlist(key, [v.replace("\x00", "") for v in cleaned.getlist(key)])
            request.GET = cleaned
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives every request an id (or takes X-Request-ID from the proxy) and attributes changes to the user.

    The user is resolved lazily: the audit hook reads `request.user` only when something is written.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 8 <= len(incoming) <= 36 else str(uuid.uuid4())
        request.request_id = rid
        with audit_context(user=_LazyUser(request), request_id=rid):
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class _LazyUser:
    """Stands in for request.user inside the audit context until the auth middleware has run."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @property
    def _user(self):
        user = getattr(self._request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @property
    def pk(self):
        user = self._user
        return user.pk if user else None

    @property
    def username(self) -> str:
        user = self._user
        return user.username if user else ""

    def resolve(self):
        return self._user


class IdleTimeoutMiddleware:
    """Logs out a session idle for more than SESSION_IDLE_MINUTES, even if the cookie survived."""

    KEY = "gq_last_seen"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, "您已长时间未操作，请重新登录。")
            else:
                request.session[self.KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself. The CSP allows only our own origin: nothing remote loads."""

    CSP = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response
