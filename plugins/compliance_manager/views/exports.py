import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import reports
from ..oscal.exporting import assessment_results
from ..roles import visible_assessments
from . import member_required


def _assessment(request, pk):
    return get_object_or_404(
        visible_assessments(request.user).select_related(
            "template", "group", "organization", "service"
        ),
        pk=pk,
    )


def _attachment(response, assessment, ext):
    name = slugify(assessment.title) or "assessment"
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@require_GET
@member_required
def oscal_results(request, pk):
    assessment = _assessment(request, pk)
    body = json.dumps(assessment_results(assessment, request.build_absolute_uri), indent=2)
    return _attachment(HttpResponse(body, content_type="application/json"), assessment, "json")


@require_GET
@member_required
def csv_report(request, pk):
    assessment = _assessment(request, pk)
    response = HttpResponse(reports.csv_report(assessment), content_type="text/csv")
    return _attachment(response, assessment, "csv")


@require_GET
@member_required
def pdf_report(request, pk):
    assessment = _assessment(request, pk)
    response = HttpResponse(reports.pdf_report(assessment), content_type="application/pdf")
    return _attachment(response, assessment, "pdf")
