from django.urls import path

from . import views
from .models import Message

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("policies/<slug:code>/", views.PolicyDetailView.as_view(), name="policy"),
    path(
        "policies/<slug:code>/ask/",
        views.MessageCreateView.as_view(kind=Message.Kind.QUESTION),
        name="ask",
    ),
    path(
        "policies/<slug:code>/report/",
        views.MessageCreateView.as_view(kind=Message.Kind.ERROR),
        name="report",
    ),
    path("consult/", views.MessageLookupView.as_view(), name="consult_lookup"),
    path("consult/<str:ref>/", views.MessageDetailView.as_view(), name="consult"),
    path("regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region"),
    path("finder/", views.FinderView.as_view(), name="finder"),
]
