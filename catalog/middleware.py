import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin/"

DISPLAY_COOKIES = {"large": "display_large", "contrast": "display_contrast"}


class DisplayPreferenceMiddleware:
    """长者模式 and 高对比度 are remembered in cookies and applied by the server, so they work
    without JavaScript; pages therefore vary by cookie for any cache in front of the app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.display = {
            mode: request.COOKIES.get(cookie) == "on" for mode, cookie in DISPLAY_COOKIES.items()
        }
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["Cookie"])
        return response


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, a request answers a short 503 page with Retry-After
    instead of a traceback; the next request after the database returns reconnects (Django's
    connection health checks), so recovery needs no restart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception.__class__.__name__)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(settings.PORTAL_RETRY_AFTER)
        add_never_cache_headers(response)
        return response


class NoStoreAdminMiddleware:
    """Nothing under the admin is kept by a browser or proxy cache, its error pages included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(ADMIN_PREFIX):
            add_never_cache_headers(response)
        return response
