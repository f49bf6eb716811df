"""The language of the pages (issue 4 item 4): the menu at the top of every page, and a signed-in user's
stored choice.

Signed in, the user's stored language (accounts/languages.py) decides, in every browser they sign in from;
the menu stores a new choice and sets the cookie with it, so the two stay in step and the language lasts
after signing out. Signed out, or with no stored choice, Django's LocaleMiddleware decides as before: the
menu's cookie, then the browser's `Accept-Language`, then English.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parceria.accounts.languages import language_parse, user_language_set
from parceria.common.errors import InvalidInput
from parceria.web.access import principal_for


def _safe_next(request: HttpRequest) -> str:
    """The `next` page (or the page the menu was on) when it is on this site; never an outside address."""
    for target in (request.POST.get("next", ""), request.META.get("HTTP_REFERER", "")):
        if target and url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language menu: sets the cookie and, for a signed-in user, stores the choice ("" follows the
    browser again). A code that is not one of the product's languages is refused and changes nothing."""
    try:
        if request.user.is_authenticated:
            code = user_language_set(
                user=request.user,
                language=request.POST.get("language", ""),
                actor=principal_for(request).actor,
            ).language
        else:
            code = language_parse(request.POST.get("language", ""))
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    response = redirect(_safe_next(request))
    if code:
        _set_cookie(response, code)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                               domain=settings.LANGUAGE_COOKIE_DOMAIN, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


def _set_cookie(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


#: Paths that are not pages: no stored language applies to them.
_NOT_PAGES = ("/api/", "/healthz", "/static/")


class UserLanguageMiddleware:
    """After authentication: a signed-in user's stored language becomes the page's language, and the
    language cookie is brought in step with it. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(_NOT_PAGES):
            # The API answers API keys, not sessions, and the health check no one: loading the signed-in user
            # there would cost two queries a request for nothing.
            return self.get_response(request)
        user = getattr(request, "user", None)
        stored = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if stored:
            translation.activate(stored)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if stored:
            patch_vary_headers(response, ("Cookie",))
            if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != stored and not response.cookies.get(
                settings.LANGUAGE_COOKIE_NAME
            ):
                _set_cookie(response, stored)
        return response
