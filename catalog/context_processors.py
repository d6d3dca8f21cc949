from django.conf import settings


def site(request):
    """What every page says about the site: its city, who runs it, whether content is demo."""
    return {
        "PORTAL_CITY": settings.PORTAL_CITY,
        "PORTAL_OWNER": settings.PORTAL_OWNER,
        "PORTAL_DEMO_CONTENT": settings.PORTAL_DEMO_CONTENT,
        "display": getattr(request, "display", {}),
    }
