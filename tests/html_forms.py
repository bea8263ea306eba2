"""Submitting a page's own HTML forms as a browser would: the form is found by its submit
button's label, and what is posted is what its controls hold (hidden inputs, the CSRF token,
checked boxes, the pressed button), nothing the test adds by hand. Inputs and buttons only
(no selects or text areas): what the forms tested with it have."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

SUBMITTING_INPUTS = {"submit", "image"}
UNCHECKED_UNLESS_CHECKED = {"checkbox", "radio"}


@dataclass
class Form:
    action: str
    method: str
    #: (name, value) pairs of the controls a browser submits, in document order.
    controls: list[tuple[str, str]] = field(default_factory=list)
    #: (label, name, value) of each submit button.
    buttons: list[tuple[str, str, str]] = field(default_factory=list)

    def data(self, button_label: str) -> dict[str, list[str]]:
        """What the browser posts when the button labelled ``button_label`` is pressed."""
        posted: dict[str, list[str]] = {}
        for name, value in self.controls:
            posted.setdefault(name, []).append(value)
        label, name, value = next(b for b in self.buttons if b[0] == button_label)
        if name:
            posted.setdefault(name, []).append(value)
        return posted


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(attributes.get("action", ""), attributes.get("method", "get"))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._input(attributes)
        elif tag == "button" and attributes.get("type", "submit") == "submit":
            self._button = {**attributes, "label": ""}

    def _input(self, attributes):
        kind = attributes.get("type", "text")
        name = attributes.get("name")
        if kind in SUBMITTING_INPUTS:
            self._form.buttons.append((attributes.get("value", ""), name or "", ""))
        elif name and "disabled" not in attributes:
            if kind in UNCHECKED_UNLESS_CHECKED and "checked" not in attributes:
                return
            self._form.controls.append((name, attributes.get("value", "")))

    def handle_data(self, data):
        if self._button is not None:
            self._button["label"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None and self._form is not None:
            button = self._button
            self._form.buttons.append(
                (button["label"].strip(), button.get("name", ""), button.get("value", ""))
            )
            self._button = None
        elif tag == "form":
            self._form = None


def form_with_button(html: str, button_label: str) -> Form:
    parser = _FormParser()
    parser.feed(html)
    matches = [f for f in parser.forms if any(b[0] == button_label for b in f.buttons)]
    assert len(matches) == 1, f"{len(matches)} forms with a {button_label!r} button"
    return matches[0]


def submit(client, page_url: str, html: str, button_label: str):
    """Press ``button_label`` on the page at ``page_url`` (whose HTML is ``html``)."""
    form = form_with_button(html, button_label)
    target = urljoin(page_url, form.action) if form.action else page_url
    data = form.data(button_label)
    if form.method.lower() == "post":
        return client.post(target, data)
    return client.get(target, data)
