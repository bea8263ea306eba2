"""What the watermarked copy leaves out: whatever a PDF viewer would run, submit or open by itself.

A watermarked copy goes to one named reader of a gated document; a script in it could send the
reader's data (or the document) anywhere when the file is opened, a launch action could start a
program, an embedded file could be anything. None of it is needed to read the document, so the
copy keeps none of it. The rules apply to every dictionary the streaming copy writes (see
``copier.StreamingCopy``); what a dictionary no longer refers to is never reached, so never
written (a removed script's stream, an embedded file's bytes).

Removed:

* ``/AA`` (additional actions: on opening or closing the document, showing a page, entering a
  form field, pressing a key...) and ``/JS`` (the script of a JavaScript or rendition action),
  wherever they appear;
* actions that are not inert, wherever they are triggered (``/OpenAction``, a link's or a form
  field's ``/A`` and ``/PA``, the ``/Next`` that chains actions): JavaScript, launching a
  program, submitting or importing form data, opening another file (``/GoToR``, ``/GoToE``),
  playing media, and a ``/URI`` whose scheme is not a web or mail address;
* the name trees of document scripts (``/JavaScript``) and attachments (``/EmbeddedFiles``), the
  embedded file streams of file specifications (``/EF``, ``/RF``), and XFA forms (``/XFA``,
  which carry scripts, with ``/NeedsRendering``);
* annotations that hold or play files: file attachments, sounds, movies, screens, rich media
  and 3D models.

Kept: the pages and their text, links within the document and to web addresses, named
navigation (next page...), bookmarks, and AcroForm fields (without their scripts). An
``/OpenAction`` that is a destination (open at page 2) is not an action and is kept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

#: Keys left out of every dictionary.
REMOVED_KEYS = frozenset(
    {"/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RF", "/XFA", "/NeedsRendering"}
)
#: Keys whose value, when it is an action dictionary, is kept only if the action is inert.
ACTION_KEYS = frozenset({"/A", "/OpenAction", "/PA"})
#: Action types that only move the reader within the document, to a web page, or change what
#: is shown. Every other type (``/JavaScript``, ``/Launch``, ``/SubmitForm``, ``/ImportData``,
#: ``/GoToR``, ``/GoToE``, ``/Rendition``, ``/RichMediaExecute``, ``/Sound``, ``/Movie``, types a
#: later PDF version adds...) is removed.
INERT_ACTIONS = frozenset(
    {"/GoTo", "/URI", "/Named", "/Thread", "/SetOCGState", "/Hide", "/ResetForm", "/Trans"}
)
#: What a ``/URI`` action may open: ``javascript:``, ``file:`` (a path on the reader's network,
#: which leaks their credentials to it) and the like are removed.
SAFE_URI_SCHEMES = frozenset({"http", "https", "mailto"})
#: Annotations removed from pages' ``/Annots``.
REMOVED_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
)


def kept_entries(dictionary: DictionaryObject):
    """The ``(key, raw value)`` pairs of ``dictionary`` that the copy keeps, with ``/Next`` and
    ``/Annots`` arrays filtered. Values stay raw (references unresolved): the copier renumbers
    them."""
    for key, value in dictionary.items():
        if key in REMOVED_KEYS:
            continue
        if key in ACTION_KEYS:
            if _is_inert(value):
                yield key, value
            continue
        if key == "/Next":
            kept = _inert_actions(value)
            if kept is not None:
                yield key, kept
            continue
        if key == "/Annots":
            yield key, _kept_annotations(value)
            continue
        yield key, value


def _is_inert(value: PdfObject) -> bool:
    """Whether ``value``, found where an action may be, is harmless: not an action at all (a
    destination, a structure element's attributes), or an action of an inert type."""
    action = value.get_object()
    if not isinstance(action, DictionaryObject) or "/S" not in action:
        return True
    kind = action.get("/S")
    if kind not in INERT_ACTIONS:
        return False
    if kind == "/URI":
        uri = action.get("/URI")
        uri = uri.get_object() if uri is not None else None
        scheme = urlsplit(str(uri or "")).scheme.lower()
        return scheme in SAFE_URI_SCHEMES
    return True


def _inert_actions(value: PdfObject) -> PdfObject | None:
    """``/Next``: one action or an array of them; the inert ones, or None if none is."""
    target = value.get_object()
    if isinstance(target, ArrayObject):
        kept = ArrayObject(item for item in target if _is_inert(item))
        return kept or None
    return value if _is_inert(value) else None


def _kept_annotations(value: PdfObject) -> PdfObject:
    annotations = value.get_object()
    if not isinstance(annotations, ArrayObject):
        return value
    return ArrayObject(
        item
        for item in annotations
        if not (
            isinstance(annotation := item.get_object(), DictionaryObject)
            and annotation.get("/Subtype") in REMOVED_ANNOTATIONS
        )
    )
