"""The Compliance Manager tab of the search page: controls matching the query, in the
assessments the user may see, each linking into its assessment."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.plugins.search import SearchHit, SearchProvider

from .models import Control
from .roles import visible_assessments


class ComplianceSearchProvider(SearchProvider):
    id = "compliance"
    label = gettext_lazy("Compliance Manager")

    def search(self, request, query: str, limit: int = 20) -> list[SearchHit]:
        query = query.strip()
        if not query:
            return []
        by_template: dict[int, list] = {}
        for assessment in visible_assessments(request.user).select_related("group", "service"):
            by_template.setdefault(assessment.template_id, []).append(assessment)
        if not by_template:
            return []
        matches = (
            Control.objects.filter(template_id__in=by_template)
            .filter(
                Q(title__icontains=query)
                | Q(label__iexact=query)
                | Q(oscal_id__iexact=query)
                | Q(statement__icontains=query)
            )
            .select_related("service")
            .order_by("template_id", "sort_order")[:limit]
        )
        hits: list[SearchHit] = []
        for control in matches:
            for assessment in by_template[control.template_id]:
                service = assessment.service or control.service
                hits.append(
                    SearchHit(
                        title=f"{control.label} {control.title}",
                        url=reverse("compliance:control", args=[assessment.pk, control.pk]),
                        snippet=control.statement[:240],
                        meta=(
                            (_("Assessment"), assessment.title),
                            (_("Created"), date_format(assessment.created_at, "DATE_FORMAT")),
                            (_("Group"), assessment.group.name),
                            (_("Service"), service.name if service else "—"),
                            (_("Managed by"), str(control.get_responsibility_display())),
                        ),
                    )
                )
        return hits[:limit]
