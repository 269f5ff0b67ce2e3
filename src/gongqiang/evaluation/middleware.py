"""A pack without an evaluation method: the evaluation pages say so in Chinese instead of failing."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .services.methods import MethodError


class MethodMissingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MethodError):
            return None
        return render(
            request,
            "evaluation/no_method.html",
            {"message": str(exception), "breadcrumbs": [("亩产效益评价", None)]},
            status=200,
        )
