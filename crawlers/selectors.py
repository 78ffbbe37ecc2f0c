"""CSS and XPath selectors as written in sources.yaml: compiled once, evaluated to text.

A selector is CSS by default (with parsel's ``::text`` and ``::attr(name)``) or XPath when it
starts with ``xpath:``; ``css:`` may be written for clarity. An XPath selector is checked on load
in full, predicates included (see _check_xpath), so that a mistake fails when sources.yaml is read,
not halfway through a crawl.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

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
# XPath 1.0 tokens (XPath 1.0, section 3.7); string literals come first so that nothing quoted counts.
_XPATH_TOKEN = re.compile(
    r"""(?P<literal>"[^"]*"|'[^']*')
      |(?P<number>\d+(?:\.\d*)?|\.\d+)
      |(?P<variable>\$\s*[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?)
      |(?P<name>[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?)
      |(?P<symbol>::|\.\.|//|!=|<=|>=|\S)""",
    re.VERBOSE,
)
# A name before "(" that calls no function: node tests, and operators such as `a and (b)`.
_NOT_FUNCTIONS = frozenset({"node", "text", "comment", "processing-instruction", "and", "or", "div", "mod"})
_UNKNOWN_NAME_ERRORS = {
    etree.ErrorTypes.XPATH_UNKNOWN_FUNC_ERROR: "unknown function {}()",
    etree.ErrorTypes.XPATH_UNDEF_PREFIX_ERROR: "undefined namespace prefix in {}() (re: and set: exist)",
}


def compile_selector(expression: str) -> CompiledSelector:
    """Translate and check a configured selector; raise ValueError with the reason when it is invalid."""
    text = expression.strip()
    if not text:
        raise ValueError("empty selector")
    if text.startswith("xpath:"):
        xpath = text.removeprefix("xpath:").strip()
        try:
            etree.XPath(xpath)
            _check_xpath(xpath)
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


def _check_xpath(xpath: str) -> None:
    """Raise ValueError for what lxml reports only when the expression runs, wherever it is written.

    The expression runs once on an empty page, as parsel will run it. A predicate, though, runs only
    on nodes before it, and `a and b` skips b when a is false; so any $name is refused (selectors
    are run without variables), each function called must exist, and each predicate runs alone as
    `/*[predicate]`: on the root element, with a context position and size (for position(), last()).
    """
    _run(xpath, _EMPTY_PAGE.xpath)
    tokens = list(_XPATH_TOKEN.finditer(xpath))
    variables = [token.group() for token in tokens if token.lastgroup == "variable"]
    if variables:
        raise ValueError(f"undefined variable {variables[0]} (selectors are run without variables)")
    for name in sorted(_function_names(tokens)):
        problem = _unknown_function(name)
        if problem is not None:
            raise ValueError(problem)
    for predicate in _predicates(xpath, tokens):
        try:
            _run(f"/*[{predicate}]", _on_empty_page)
        except ValueError as exc:
            raise ValueError(f"the predicate [{predicate}] fails: {exc}") from None


def _run(xpath: str, evaluate: Callable[[str], object]) -> None:
    """Run an expression; raise ValueError with the reason when it fails."""
    try:
        evaluate(xpath)
    except Exception as exc:  # parsel's ValueError, or whatever an extension function raises
        raise ValueError(str(exc) or type(exc).__name__) from None


def _on_empty_page(xpath: str) -> object:
    """Run an expression on the empty page with lxml (parsel's namespaces and functions)."""
    return _EMPTY_PAGE.root.xpath(xpath, namespaces=_EMPTY_PAGE.namespaces)


def _unknown_function(name: str) -> str | None:
    """Say why a called function name is not defined, or None when it is (its arguments aside)."""
    try:
        _on_empty_page(f"{name}()")
    except etree.XPathEvalError as exc:
        last = exc.error_log.last_error
        problem = _UNKNOWN_NAME_ERRORS.get(last.type) if last is not None else None
        return problem.format(name) if problem is not None else None
    except Exception:  # an extension function that wants arguments: it exists
        return None
    return None


def _predicates(xpath: str, tokens: list[re.Match[str]]) -> Iterator[str]:
    """Yield the text inside each [...] of an expression (nested ones too), outside string literals."""
    opened: list[int] = []
    for token in tokens:
        if token.group() == "[":
            opened.append(token.end())
        elif token.group() == "]" and opened:
            yield xpath[opened.pop() : token.start()].strip()


def _function_names(tokens: list[re.Match[str]]) -> set[str]:
    """Return the names of the functions an expression calls (a name followed by "(")."""
    return {
        token.group()
        for token, after in pairwise(tokens)
        if token.lastgroup == "name" and after.group() == "(" and token.group() not in _NOT_FUNCTIONS
    }
