from django.http import HttpRequest

from .navigation import menu_for
from .scope import memberships_of


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": [], "user_memberships": []}
    return {"nav_menu": menu_for(request), "user_memberships": memberships_of(user)}
