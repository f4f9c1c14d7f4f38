"""Split a Markdown file into YAML front matter and body, keeping line numbers for messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


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
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark is not None else 2
        raise FrontMatterError("bad_yaml", line, detail=str(exc.problem or exc).strip()) from None
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
    skipped = next((i for i, line in enumerate(body_lines) if line.strip()), len(body_lines))
    return ParsedFile(
        data={str(k): v for k, v in data.items()},
        key_lines=key_lines,
        duplicate_keys=duplicates,
        body="\n".join(body_lines).strip(),
        body_line=closing + 2 + skipped,
    )
