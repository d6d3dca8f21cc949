from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("政策清单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import caching

        caching.release()  # once, at start, from the files this process loaded
