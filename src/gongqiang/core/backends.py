from django.contrib.auth.backends import ModelBackend

from .services.auth import lockout_remaining_minutes


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked user name, whichever login form asked (ours or Django admin's)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and lockout_remaining_minutes(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
