"""Load YAML that people write (sources.yaml, company and network files) safely and strictly.

PyYAML's SafeLoader builds nothing but plain values, yet it follows a document as deep as it goes (a
bare RecursionError past a few hundred levels) and expands aliases without limit: a "billion laughs"
file of a few hundred bytes becomes gigabytes once its values are printed or walked. `StrictSafeLoader`
refuses both while it composes the document, before anything is built. It also refuses a key written
twice in one mapping (YAML forbids it; PyYAML would silently keep the last value) and names the value
it cannot construct (a date such as 2020-13-45) with its line, instead of raising a bare ValueError.
Every refusal is a `yaml.MarkedYAMLError`, so callers report it like any other YAML error.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError

# A sources.yaml or a company file needs about six levels; Python's recursion limit allows ~300.
MAX_DEPTH = 50
# Values that aliases (*name) may add to one document: ample for a shared list of municipalities
# repeated for thousands of companies, far too few for an alias bomb to cost memory or time.
MAX_ALIAS_NODES = 100_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlLimitError(yaml.MarkedYAMLError):
    """Raised by `StrictSafeLoader` for a document nested too deeply or whose aliases expand too far.

    `kind` is "depth" or "aliases" and `limit` the number that was exceeded, for messages of one's own.
    """

    def __init__(self, problem: str, mark: yaml.Mark | None, kind: str, limit: int) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.kind = kind
        self.limit = limit


class DuplicateKeyError(ConstructorError):
    """Raised by `StrictSafeLoader` for a key written twice in one mapping; `key` is the key."""

    def __init__(self, key: Hashable, node: yaml.MappingNode, key_node: yaml.Node) -> None:
        problem = f"found duplicate key {key!r}"
        super().__init__("while constructing a mapping", node.start_mark, problem, key_node.start_mark)
        self.key = key


class StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader with bounded depth and alias expansion, no duplicate keys, and located value errors."""

    max_depth = MAX_DEPTH
    max_alias_nodes = MAX_ALIAS_NODES

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0  # nodes composed so far, an alias counted as every node it stands for
        self._alias_nodes = 0  # of which aliases added
        self._anchor_nodes: dict[str, int] = {}  # anchor -> nodes of its value, aliases expanded

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Compose one node, counting depth and what aliases add; raise YamlLimitError past a limit."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            nodes = self._anchor_nodes.get(event.anchor, 1)
            self._nodes += nodes
            self._alias_nodes += nodes
            if self._alias_nodes > self.max_alias_nodes:
                raise YamlLimitError(
                    f"aliases (*{event.anchor}) expand to more than {self.max_alias_nodes} values",
                    event.start_mark,
                    "aliases",
                    self.max_alias_nodes,
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        if self._depth >= self.max_depth:
            raise YamlLimitError(
                f"nested more than {self.max_depth} levels deep", event.start_mark, "depth", self.max_depth
            )
        first = self._nodes
        self._nodes += 1
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._anchor_nodes[anchor] = self._nodes - first
        return node  # type: ignore[no-any-return]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """Construct a mapping; raise DuplicateKeyError for a key that is written twice."""
        if isinstance(node, yaml.MappingNode):
            seen: set[Hashable] = set()
            for key_node, _value in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                    continue  # `<<` merges may be overridden; collection keys fail in PyYAML itself
                key = self.construct_object(key_node)
                if not isinstance(key, Hashable):
                    continue
                if key in seen:
                    raise DuplicateKeyError(key, node, key_node)
                seen.add(key)
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct a value; a ValueError (2020-13-45, an integer of 5,000 digits) names it and its line."""
        try:
            return super().construct_object(node, deep)
        except ValueError as exc:
            problem = str(exc)
            if isinstance(node, yaml.ScalarNode):
                value = node.value if len(node.value) <= 60 else node.value[:57] + "..."
                problem = f"{value!r}: {exc}"
            raise ConstructorError(None, None, problem, node.start_mark) from None


def compose(text: str, name: str = "<unicode string>") -> yaml.Node | None:
    """Return the node graph of one YAML document (None when empty), within the limits above.

    `name` (the file) is what error messages say the problem is "in".
    """
    loader = StrictSafeLoader(text)
    loader.name = name
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def load(text: str, name: str = "<unicode string>") -> Any:
    """Return the plain values of one YAML document, within the limits above, without duplicate keys."""
    loader = StrictSafeLoader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
