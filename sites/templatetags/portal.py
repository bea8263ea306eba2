"""Template tags of the reader site: language links, query strings, highlights and the
plugins' document and listing actions."""

import re

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info

from cms.plugins import registry
from search.text_query import normalize_query

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """Links to this page in every language: a page's translation where it has one, else the
    same URL under another language prefix."""
    request = context["request"]
    page = context.get("page")
    page_urls = {}
    if page is not None and getattr(page, "pk", None):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            page_urls[translation.locale.language_code] = translation.get_url(request)
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = page_urls.get(code) or translate_url(request.get_full_path(), code)
        info = get_language_info(code)
        links.append(
            {"code": code, "name": info["name_local"], "url": url, "current": code == current}
        )
    return links


@register.simple_tag(takes_context=True)
def query_without(context, name, value=None):
    """The current query string without one filter value (or without a whole parameter)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [v for v in params.getlist(name) if v != value])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_with_page(context, number):
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or an empty list when either is missing (for filter values and counts)."""
    return mapping.get(key, []) if mapping else []


@register.filter
def highlight(text, query):
    """``text`` HTML-escaped, with the words of ``query`` marked (case-insensitive)."""
    escaped = escape(text or "")
    words = [escape(word) for word in normalize_query(query or "").split()[:10] if len(word) > 1]
    if not words:
        return mark_safe(escaped)
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    return mark_safe(pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", escaped))


@register.simple_tag(takes_context=True)
def document_actions(context, document):
    """The plugins' entries of the "…" menu of ``document`` for this reader."""
    return registry.document_actions(context["request"], document)


@register.simple_tag(takes_context=True)
def listing_actions(context):
    """The plugins' buttons acting on the documents checked in a listing."""
    return registry.listing_actions(context["request"])
