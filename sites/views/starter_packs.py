from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from cms.access import ratelimit
from cms.models import StarterPackPage
from sites.archives import build_pack_archive


@require_GET
def pack_archive(request, page_id: int):
    pack = get_object_or_404(StarterPackPage.objects.live().public(), pk=page_id)
    if ratelimit.exceeded("download", ratelimit.requester(request)):
        return ratelimit.too_many_requests(request, "download")
    archive, filename, included = build_pack_archive(request, pack, get_language())
    if not included:
        archive.close()
        return render(request, "portal/pack_empty.html", {"pack": pack}, status=403)
    response = FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
