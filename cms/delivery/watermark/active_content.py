"""What the watermarked copy leaves out: whatever a PDF viewer would run, submit or open by itself.

A watermarked copy goes to one named reader of a gated document; a script in it could send the
reader's data (or the document) anywhere when the file is opened, a launch action could start a
program, an embedded file could be anything. None of it is needed to read the document, so the
copy keeps none of it. The rules apply to every dictionary reachable from the file's trailer
(``remove_active_content``, before the copy is written); what a dictionary no longer refers to
is not written at all (qpdf writes only what the trailer reaches: a removed script's stream, an
embedded file's bytes).

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

import pikepdf

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
_WATCHED_KEYS = REMOVED_KEYS | ACTION_KEYS | {"/Next", "/Annots"}
_CONTAINERS = (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)


def remove_active_content(pdf: pikepdf.Pdf) -> None:
    """Apply the rules above, in place, to every dictionary (and stream dictionary) reachable
    from the trailer, each once. Stream data is never read."""
    seen = pikepdf.ObjectSet()
    pending: list = [pdf.trailer]
    while pending:
        obj = pending.pop()
        if not seen.add(obj):
            continue
        if isinstance(obj, pikepdf.Array):
            pending.extend(item for item in obj if isinstance(item, _CONTAINERS))
            continue
        keys = obj.keys()
        if not keys.isdisjoint(_WATCHED_KEYS):
            _clean(obj, keys)
            keys = obj.keys()
        for key in keys:
            value = obj.get(key)
            if isinstance(value, _CONTAINERS):
                pending.append(value)


def _clean(dictionary, keys) -> None:
    for key in keys & REMOVED_KEYS:
        del dictionary[key]
    for key in keys & ACTION_KEYS:
        if not _is_inert(dictionary.get(key)):
            del dictionary[key]
    if "/Next" in keys:
        kept = _inert_actions(dictionary.get("/Next"))
        if kept is None:
            del dictionary["/Next"]
        else:
            dictionary["/Next"] = kept
    if "/Annots" in keys:
        annotations = dictionary.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            dictionary["/Annots"] = pikepdf.Array(
                item
                for item in annotations
                if not (
                    isinstance(item, pikepdf.Dictionary)
                    and str(item.get("/Subtype", "")) in REMOVED_ANNOTATIONS
                )
            )


def _is_inert(value) -> bool:
    """Whether ``value``, found where an action may be, is harmless: not an action at all (a
    destination, a structure element's attributes), or an action of an inert type."""
    if not isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)) or "/S" not in value:
        return True
    kind = str(value.get("/S"))
    if kind not in INERT_ACTIONS:
        return False
    if kind == "/URI":
        uri = value.get("/URI")
        try:
            scheme = urlsplit(str(uri) if uri is not None else "").scheme.lower()
        except ValueError:  # not even a URL ("http://[")
            return False
        return scheme in SAFE_URI_SCHEMES
    return True


def _inert_actions(value):
    """``/Next``: one action or an array of them; the inert ones, or None if none is."""
    if isinstance(value, pikepdf.Array):
        kept = [item for item in value if _is_inert(item)]
        return pikepdf.Array(kept) if kept else None
    return value if _is_inert(value) else None
