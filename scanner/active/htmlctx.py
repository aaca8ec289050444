"""Where a reflected canary lands in HTML: as a real element, or as inert text.

A reflected ``<tag>`` is cross-site scripting only if a browser would parse it as an element. Inside
``<textarea>``, ``<title>``, ``<script>``, ``<style>``, ``<noscript>``, comments or an attribute value
it is text. The standard library's parser handles script, style, comments and attributes; the
raw-text elements it does not know about are tracked here.
"""

from __future__ import annotations

from html.parser import HTMLParser

RAW_TEXT = frozenset(
    {"textarea", "title", "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
)


class _Finder(HTMLParser):
    def __init__(self, tag: str, attribute: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.attribute = attribute
        self.raw: list[str] = []
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.raw:
            return
        if tag == self.tag and any(name == self.attribute for name, _ in attrs):
            self.found = True
        if tag in RAW_TEXT:
            self.raw.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.raw and tag == self.tag and any(name == self.attribute for name, _ in attrs):
            self.found = True

    def handle_endtag(self, tag: str) -> None:
        if self.raw and tag == self.raw[-1]:
            self.raw.pop()


def parses_as_element(html_text: str, tag: str, attribute: str) -> bool:
    """Does ``html_text`` contain a ``<tag attribute=...>`` element a browser would build?"""
    finder = _Finder(tag.lower(), attribute.lower())
    finder.feed(html_text)
    finder.close()
    return finder.found


__all__ = ["RAW_TEXT", "parses_as_element"]
