"""Extract links and forms from HTML with the standard library's tolerant parser.

Hostile or broken markup never raises: :class:`html.parser.HTMLParser` recovers from anything, and
this module only collects attributes. Nothing is executed or fetched here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_LINK_ATTRS = {"a": "href", "area": "href", "iframe": "src", "frame": "src"}
_KEPT_ATTRS = ("min", "max", "minlength", "maxlength", "pattern", "required", "accept", "step")


@dataclass(frozen=True, kw_only=True)
class FormField:
    """One named control as written: ``checked`` for checkboxes and radios, ``placeholder`` and
    ``attrs`` (min, max, pattern, maxlength...) for filling it with a plausible value."""

    name: str
    value: str
    type: str = "text"
    placeholder: str = ""
    checked: bool = True
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str) -> str | None:
        return dict(self.attrs).get(name)


@dataclass(frozen=True, kw_only=True)
class Form:
    """A form as written in the page (``action`` unresolved; empty means "this page")."""

    action: str
    method: str
    enctype: str
    fields: tuple[FormField, ...]

    @property
    def has_password(self) -> bool:
        return any(f.type == "password" for f in self.fields)

    @property
    def has_file(self) -> bool:
        return any(f.type == "file" for f in self.fields)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(kw_only=True)
class PageLinks:
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)
    forms: list[Form] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = PageLinks()
        self._form: dict[str, str] | None = None
        self._fields: list[FormField] = []
        self._anchor: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._placeholder = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _LINK_ATTRS and _LINK_ATTRS[tag] in a:
            if tag == "a":
                self._anchor, self._text = a["href"], []
            else:
                self.result.links.append((a[_LINK_ATTRS[tag]], ""))
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            _, _, target = a.get("content", "").partition("=")
            if target:
                self.result.links.append((target.strip().strip("'\""), "refresh"))
        elif tag == "form":
            self._close_form()
            self._form = {k: a.get(k, "") for k in ("action", "method", "enctype")}
            self._fields = []
        elif self._form is None:
            return
        elif tag in ("input", "button") and "name" in a:
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            choice = kind in ("checkbox", "radio")
            self._fields.append(
                FormField(
                    name=a["name"],
                    value=a.get("value", "on" if choice else ""),
                    type=kind,
                    placeholder=a.get("placeholder", ""),
                    checked="checked" in a or not choice,
                    attrs=tuple((k, a[k]) for k in _KEPT_ATTRS if k in a),
                )
            )
        elif tag == "textarea" and "name" in a:
            self._textarea, self._text = a["name"], []
            self._placeholder = a.get("placeholder", "")
        elif tag == "select" and "name" in a:
            self._select = a["name"]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if value or "selected" in a:  # a "Choose..." option with no value is not a choice
                self._fields.append(FormField(name=self._select, value=value, type="select"))
                self._select = None  # the first real option is the default

    def handle_data(self, data: str) -> None:
        if self._anchor is not None or self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            self.result.links.append((self._anchor, " ".join("".join(self._text).split())))
            self._anchor = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append(
                FormField(
                    name=self._textarea,
                    value="".join(self._text),
                    type="textarea",
                    placeholder=self._placeholder,
                )
            )
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._close_form()

    def _close_form(self) -> None:
        if self._form is not None:
            self.result.forms.append(
                Form(
                    action=self._form["action"],
                    method=(self._form["method"] or "get").upper(),
                    enctype=self._form["enctype"].lower() or "application/x-www-form-urlencoded",
                    fields=tuple(self._fields),
                )
            )
        self._form, self._fields = None, []


def parse_html(text: str) -> PageLinks:
    """Links (with their text) and forms found in ``text``."""
    collector = _Collector()
    collector.feed(text)
    collector.close()
    collector._close_form()
    return collector.result


__all__ = ["Form", "FormField", "PageLinks", "parse_html"]
