"""CSS and XPath selectors as written in sources.yaml: compiled once, evaluated to text.

A selector is CSS by default (with parsel's ``::text`` and ``::attr(name)``) or XPath when it
starts with ``xpath:``; ``css:`` may be written for clarity.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()


@dataclass(frozen=True, slots=True)
class CompiledSelector:
    """A selector from the configuration, translated to XPath and checked."""

    source: str
    xpath: str

    def select(self, node: Selector) -> SelectorList[Selector]:
        """Return the nodes this selector matches under `node`."""
        return node.xpath(self.xpath)

    def first(self, node: Selector) -> str | None:
        """Return the first non-empty match, stripped (for links), or None."""
        for part in self.select(node).getall():
            if part.strip():
                return part.strip()
        return None

    def text(self, node: Selector) -> str | None:
        """Return the matched text (several matches joined by a space), or None when nothing matches."""
        parts = [part.strip() for part in self.select(node).getall()]
        joined = " ".join(part for part in parts if part)
        return joined or None


_EMPTY_PAGE = Selector(text="<html><body></body></html>")


def compile_selector(expression: str) -> CompiledSelector:
    """Translate and check a configured selector; raise ValueError with the reason when it is invalid."""
    text = expression.strip()
    if not text:
        raise ValueError("empty selector")
    if text.startswith("xpath:"):
        xpath = text.removeprefix("xpath:").strip()
        try:
            etree.XPath(xpath)
            # Some errors show only when the expression runs (an undefined $variable, namespace prefix
            # or function): run it once on an empty page, as parsel will, so that it fails on load.
            _EMPTY_PAGE.xpath(xpath)
        except (etree.XPathSyntaxError, ValueError) as exc:
            raise ValueError(f"invalid XPath {xpath!r}: {exc}") from None
        return CompiledSelector(text, xpath)
    css = text.removeprefix("css:").strip()
    try:
        xpath = _TRANSLATOR.css_to_xpath(css)
    except Exception as exc:  # cssselect raises SelectorSyntaxError and ExpressionError
        raise ValueError(f"invalid CSS {css!r}: {exc}") from None
    # parsel translates to "descendant-or-self::…", so the selector is relative to the node it is
    # applied to, as response.css() on a sub-selector is in Scrapy.
    return CompiledSelector(text, xpath)
