from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .caching import public_page
from .feeds import PolicyFeed
from .models import Message
from .sitemaps import SITEMAPS

app_name = "catalog"

urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("policies/", public_page(views.PolicyListView.as_view()), name="policy_list"),
    path("policies/<slug:code>/", public_page(views.PolicyDetailView.as_view()), name="policy"),
    path("policies/<slug:code>/qr.png", views.policy_qr, name="policy_qr"),
    path("policies/<slug:code>/calendar.ics", views.policy_ics, name="policy_ics"),
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
    path("regions/<slug:slug>/", public_page(views.RegionDetailView.as_view()), name="region"),
    path(
        "regions/<slug:slug>/print/",
        public_page(views.RegionPrintView.as_view()),
        name="region_print",
    ),
    path("regions/<slug:slug>/print.pdf", views.region_pdf, name="region_pdf"),
    path("evaluation/", public_page(views.EvaluationView.as_view()), name="evaluation"),
    # Never cached: the finder's answers are the person's own and are kept nowhere.
    path("finder/", views.FinderView.as_view(), name="finder"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("open-data/", views.OpenDataView.as_view(), name="open_data"),
    path("open-data/policies.json", views.policies_json, name="open_data_json"),
    path("open-data/policies.csv", views.policies_csv, name="open_data_csv"),
    path("open-data/schema.json", views.schema_json, name="open_data_schema"),
    path("feeds/policies.atom", PolicyFeed(), name="feed"),
    path("feeds/policies.ics", views.policies_ics, name="feed_ics"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("display/", views.display_preference, name="display"),
]
