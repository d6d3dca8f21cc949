from django.utils.cache import patch_vary_headers

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
