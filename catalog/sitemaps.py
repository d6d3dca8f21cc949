from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Policy, Region


class PolicySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Policy.objects.published()
            .order_by("code", "edition")
            .only("code", "edition", "updated_at")
        )

    def lastmod(self, policy):
        return policy.updated_at


class RegionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Region.objects.all()


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["catalog:home", "catalog:policy_list", "catalog:finder", "catalog:open_data"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "regions": RegionSitemap, "policies": PolicySitemap}
