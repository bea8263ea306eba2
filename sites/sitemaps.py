"""sitemap.xml: the site's pages and the documents an anonymous visitor may see.

Search engines are anonymous, so the sitemap asks the access policy for an anonymous user:
hidden restricted documents are never listed.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from search.cards import source_documents


class DocumentSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return source_documents(AnonymousUser()).order_by("pk")

    def location(self, item):
        return item.get_url()

    def lastmod(self, item):
        return item.last_published_at


SITEMAPS = {"pages": PageSitemap, "documents": DocumentSitemap}
