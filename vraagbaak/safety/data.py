"""Reading ``knowledge/safety/``: the danger and calm patterns and examples per language
(``<lang>.yaml``) and the numbers to call (``services.yaml``).

Every mistake becomes a :class:`~vraagbaak.knowledge.problems.Problem` with file and line, so
`kb check` explains it to the volunteer who made it; a bad line is skipped, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from vraagbaak.knowledge.problems import Problem
from vraagbaak.languages import LANGUAGES
from vraagbaak.safety.patterns import Pattern

SAFETY_DIR: Final = "safety"
SERVICES_FILE: Final = "services.yaml"
#: The kinds of danger, each with its own reply and numbers.
NEEDS: Final[tuple[str, ...]] = ("medical", "violence", "fire", "suicide")
#: The label of ordinary messages with alarming words.
CALM: Final = "calm"


@dataclass(frozen=True)
class Example:
    label: str  # a need or CALM
    lang: str
    text: str


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    phone: str | None
    source: str
    phone_free: str | None = None


@dataclass
class SafetyData:
    danger: list[tuple[str, Pattern]] = field(default_factory=list)
    calm: list[Pattern] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    services: dict[str, Service] = field(default_factory=dict)
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _compose(path: Path, problems: list[Problem]) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
        try:  # libyaml when present (read at every reload); the Python parser explains errors
            return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return yaml.compose(text, Loader=yaml.SafeLoader)
    except FileNotFoundError:
        problems.append(Problem(path, 1, "error", "bad_config", {"detail": "the file is missing"}))
    except UnicodeDecodeError:
        problems.append(Problem(path, 1, "error", "not_utf8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(path, (mark.line + 1) if mark else 1, "error", "bad_config",
                                {"detail": str(getattr(exc, "problem", exc))}))
    return None


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _strings(node: yaml.Node | None, path: Path, where: str, problems: list[Problem]) -> list[tuple[str, int]]:
    """The strings of a YAML list, each with its line; anything else is reported."""
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(path, node.start_mark.line + 1, "error", "safety_not_list", {"section": where}))
        return []
    out = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode) and str(item.value).strip():
            out.append((str(item.value), item.start_mark.line + 1))
        else:
            problems.append(Problem(path, item.start_mark.line + 1, "error", "safety_not_text", {"section": where}))
    return out


def _patterns(node: yaml.Node | None, path: Path, where: str, problems: list[Problem]) -> list[Pattern]:
    patterns = []
    for text, line in _strings(node, path, where, problems):
        try:
            patterns.append(Pattern.parse(text, line))
        except ValueError:
            problems.append(Problem(path, line, "error", "safety_bad_pattern", {"value": text}))
    return patterns


def _load_language(path: Path, lang: str, data: SafetyData) -> None:
    top = _mapping(_compose(path, data.problems))
    danger = _mapping(top.get("danger"))
    for need, node in danger.items():
        if need not in NEEDS:
            data.problems.append(Problem(path, node.start_mark.line, "error", "safety_unknown_need",
                                         {"value": need, "needs": ", ".join(NEEDS)}))
            continue
        data.danger += [(need, p) for p in _patterns(node, path, f"danger/{need}", data.problems)]
    data.calm += _patterns(top.get("calm"), path, "calm", data.problems)
    for label, node in _mapping(top.get("examples")).items():
        if label not in (*NEEDS, CALM):
            data.problems.append(Problem(path, node.start_mark.line, "error", "safety_unknown_need",
                                         {"value": label, "needs": ", ".join((*NEEDS, CALM))}))
            continue
        data.examples += [Example(label, lang, text) for text, _ in _strings(node, path, f"examples/{label}", data.problems)]


def _load_services(path: Path, data: SafetyData) -> None:
    problems: list[Problem] = []
    node = _compose(path, problems)  # the file is read once: its node becomes plain data
    raw: Any = yaml.constructor.SafeConstructor().construct_document(node) if node is not None else None
    data.problems += problems
    if not isinstance(raw, dict):
        if not problems:
            data.problems.append(Problem(path, 1, "error", "bad_config", {"detail": "services: and needs: are missing"}))
        return
    for key, entry in (raw.get("services") or {}).items():
        try:
            phone = entry.get("phone")
            data.services[str(key)] = Service(str(key), str(entry["name"]), str(phone) if phone else None,
                                              str(entry["source"]), entry.get("phone_free"))
        except (AttributeError, KeyError, TypeError) as exc:
            data.problems.append(Problem(path, 1, "error", "bad_config", {"detail": f"{key}: missing {exc}"}))
    for need in NEEDS:
        keys = tuple(str(k) for k in ((raw.get("needs") or {}).get(need) or ()))
        unknown = [k for k in keys if k not in data.services]
        if not keys or unknown:
            data.problems.append(Problem(path, 1, "error", "bad_config",
                                         {"detail": f"needs: {need}: {', '.join(unknown) or 'no services'}"}))
        data.needs[need] = tuple(k for k in keys if k in data.services)


def load_services(knowledge_dir: Path) -> SafetyData:
    """Only the numbers to call (``services.yaml``): what the assistant's replies need, without
    reading the patterns and examples that the index build has already turned into its check."""
    data = SafetyData()
    _load_services(knowledge_dir / SAFETY_DIR / SERVICES_FILE, data)
    return data


def load_safety(knowledge_dir: Path) -> SafetyData:
    """Everything in ``knowledge/safety/``; a missing language file is reported, not fatal."""
    folder = knowledge_dir / SAFETY_DIR
    data = SafetyData()
    for lang in LANGUAGES:
        path = folder / f"{lang}.yaml"
        if path.is_file():
            _load_language(path, lang, data)
        else:
            data.problems.append(Problem(path, 1, "warning", "safety_missing", {"lang": lang}))
    _load_services(folder / SERVICES_FILE, data)
    return data
