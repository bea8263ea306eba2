from django.shortcuts import render
from django.views.decorators.http import require_GET

from cms.plugins import registry
from search.listing import document_listing


@require_GET
def search(request):
    providers = registry.search_providers()
    tab = request.GET.get("tab", "documents")
    provider = next((p for p in providers if p.id == tab), None)
    context = document_listing(request)
    context.update({"providers": providers, "tab": provider.id if provider else "documents"})
    if provider is not None:
        context["hits"] = provider.search(request, context["query"])
    return render(request, "portal/search.html", context)
