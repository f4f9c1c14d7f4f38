"""Small knowledge bases for search tests, cut from the real one."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from vraagbaak.settings import PROJECT_ROOT, Settings

REPO_KNOWLEDGE = PROJECT_ROOT / "knowledge"


def knowledge_subset(target: Path, article_ids: list[str], langs: tuple[str, ...] = ("nl", "en", "ar", "ti"),
                     municipal: bool = True) -> Path:
    """Copy the config files and the named articles (all their versions) into ``target``."""
    root = target / "knowledge"
    root.mkdir(parents=True)
    for name in ("municipalities.yaml", "topics.yaml", "out-of-scope.yaml"):
        shutil.copy(REPO_KNOWLEDGE / name, root / name)
    shutil.copytree(REPO_KNOWLEDGE / "safety", root / "safety")
    for article_id in article_ids:
        topic, name = article_id.split("/")
        for lang in langs:
            for path in (REPO_KNOWLEDGE / lang / topic).glob(f"{name}.*md"):
                if path.name != f"{name}.md" and not municipal:
                    continue
                if path.name == f"{name}.md" or path.name.count(".") == 2:
                    destination = root / lang / topic / path.name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, destination)
    return root


def settings_for(tmp: Path, knowledge: Path, seed_from: Settings | None = None, **changes: object) -> Settings:
    """Settings over ``knowledge`` with a var dir in ``tmp``; ``seed_from`` copies an embedding
    cache in, so texts already embedded this session are not embedded again."""
    settings = replace(Settings(), knowledge_dir=knowledge, var_dir=tmp / "var", **changes)
    if seed_from is not None and (seed_from.index_dir / "cache").is_dir():
        shutil.copytree(seed_from.index_dir / "cache", settings.index_dir / "cache")
    return settings
