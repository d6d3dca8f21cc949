from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("policies/<slug:code>/", views.PolicyDetailView.as_view(), name="policy"),
    path("regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region"),
    path("finder/", views.FinderView.as_view(), name="finder"),
]
