from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
]

# Chinese error pages without stack traces (templates/400.html … 503.html); the 503 page comes
# from catalog.middleware.DatabaseUnavailableMiddleware, the 429 page from the message forms.
handler400 = "catalog.views.bad_request"
handler403 = "catalog.views.permission_denied"
handler404 = "catalog.views.page_not_found"
handler500 = "catalog.views.server_error"
