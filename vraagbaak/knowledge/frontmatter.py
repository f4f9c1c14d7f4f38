"""Split a Markdown file into YAML front matter and body, keeping line numbers for messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay text, so an impossible date
    (2026-02-30) or a date with a time becomes a clear message instead of a crash."""


#: The same rules on libyaml's C parser when PyYAML has it (about ten times faster: a reload of
#: the whole knowledge base parses every file). Errors are always explained by the Python
#: parser, so a volunteer reads the same message either way.
_FastLoader: type = type("_FastLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})

for _loader in (_FrontMatterLoader, _FastLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _load_with(loader_class: type, yaml_text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, from one parse."""
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _compose_and_load(yaml_text: str) -> tuple[yaml.Node | None, Any]:
    """Parsed by the fast parser; a document it refuses is parsed again by the Python one, whose
    error message (and line) the volunteer reads."""
    try:
        return _load_with(_FastLoader, yaml_text)
    except yaml.YAMLError:
        return _load_with(_FrontMatterLoader, yaml_text)


class FrontMatterError(Exception):
    """The file's front matter cannot be read; ``line`` is 1-based in the file."""

    def __init__(self, code: str, line: int, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.line = line
        self.params = params


@dataclass(frozen=True)
class ParsedFile:
    """The front matter as data, where each key stands, and the body below it."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    duplicate_keys: list[tuple[str, int]]
    body: str
    body_line: int


def _unclosed_quote_line(lines: list[str]) -> int | None:
    """Index of the first line whose value opens a quote it does not close (an odd count)."""
    for index, line in enumerate(lines):
        value = line.split(":", 1)[1].strip() if ":" in line and not line.lstrip().startswith("-") \
            else line.lstrip().lstrip("-").strip()
        if value[:1] == '"' and value.replace('\\"', "").count('"') % 2 == 1:
            return index
        if value[:1] == "'" and value.replace("''", "").count("'") % 2 == 1:
            return index
    return None


def parse_markdown(text: str) -> ParsedFile:
    """Parse ``---`` / YAML / ``---`` / body. Raises :class:`FrontMatterError` with a line."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("no_start", 1)
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if closing is None:
        raise FrontMatterError("no_end", len(lines))
    yaml_lines = lines[1:closing]
    for number, line in enumerate(yaml_lines, start=2):
        if "\t" in line:
            raise FrontMatterError("tab", number)
    yaml_text = "\n".join(yaml_lines)
    try:
        node, data = _compose_and_load(yaml_text)
    except yaml.MarkedYAMLError as exc:
        unclosed = _unclosed_quote_line(yaml_lines)
        if unclosed is not None:
            raise FrontMatterError("bad_yaml", unclosed + 2, detail="a quote is opened but not closed") from None
        # For a line without a colon the context mark points at it; otherwise the problem mark
        # is where the parser noticed.
        scanning = (exc.context or "").startswith("while scanning")
        mark = (exc.context_mark if scanning else None) or exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark is not None else 2
        raise FrontMatterError("bad_yaml", line, detail=str(exc.problem or exc).strip()) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError("bad_yaml", 2, detail=str(exc).strip()) from None
    if data is None:
        raise FrontMatterError("empty_front_matter", 1)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError("not_mapping", 2)
    key_lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    for key_node, _value in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 2
        if key in key_lines:
            duplicates.append((key, line))
        key_lines.setdefault(key, line)
    body_lines = lines[closing + 1:]
    skipped = next((i for i, line in enumerate(body_lines) if line.strip()), 0)
    return ParsedFile(
        data={str(k): v for k, v in data.items()},
        key_lines=key_lines,
        duplicate_keys=duplicates,
        body="\n".join(body_lines).strip(),
        body_line=closing + 2 + skipped,
    )
