from __future__ import annotations

from ninja import Router, Schema

from cms.api.common import READER_AUTH, TermSchema, activate_locale, reject_unknown_parameters
from search.listing import filter_options

router = Router(tags=["taxonomy"], auth=READER_AUTH)


class TaxonomySchema(Schema):
    filter: str
    label: str
    terms: list[TermSchema]


@router.get(
    "/",
    response=list[TaxonomySchema],
    operation_id="taxonomy",
    summary="Every filter and its terms",
)
def taxonomy(request):
    """The terms documents are filed under, in the request's language (``?locale=`` or the
    Accept-Language header), as used by the document list's filters."""
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    return [
        TaxonomySchema(
            filter=name, label=str(label), terms=[TermSchema(slug=s, name=n) for s, n in terms]
        )
        for name, label, terms in filter_options()
    ]
