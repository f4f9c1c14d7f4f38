"""Reading and writing index builds on disk, atomically.

Layout under the index directory::

    builds/<name>/         one complete build (manifest, vectors, lexical indexes, articles)
    current -> builds/<n>  the build in use; replaced in one rename, so a reader never sees half
    cache/<model>.npz      embeddings by text hash, so unchanged texts are not embedded again

A build is written into a temporary folder and only renamed into place when complete, so a crash
during a build leaves the previous index untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

CURRENT = "current"
BUILDS = "builds"
CACHE = "cache"
KEEP_BUILDS = 2


def text_key(kind: str, text: str) -> str:
    """Stable cache key of an embedded text ("query"/"passage" matter to E5 models)."""
    return hashlib.sha256(f"{kind}\x00{text}".encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors by text hash for one embedding model; saved atomically, pruned to what is used."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        self._used: set[str] = set()
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                if vectors.ndim == 2 and vectors.shape[1] == dim:
                    self._vectors = {str(k): v for k, v in zip(keys, vectors)}
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # a damaged cache only costs time: it is rebuilt

    def get(self, key: str) -> np.ndarray | None:
        vector = self._vectors.get(key)
        if vector is not None:
            self._used.add(key)
        return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        self._vectors[key] = vector
        self._used.add(key)

    def save(self, prune: bool = True) -> None:
        """Write atomically; ``prune`` drops vectors this build did not use (old texts)."""
        keys = sorted(self._used if prune else self._vectors)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.stem}.{uuid.uuid4().hex}.npz")
        vectors = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        np.savez(tmp, keys=np.asarray(keys), vectors=vectors.astype(np.float32))
        os.replace(tmp, self.path)


def new_build_dir(index_dir: Path) -> Path:
    """An empty temporary folder inside builds/, to be completed and then published."""
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    path = builds / f".tmp-{uuid.uuid4().hex}"
    path.mkdir()
    return path


def _fsync_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())


def publish_build(index_dir: Path, tmp_dir: Path) -> Path:
    """Rename a complete build into place and point ``current`` at it in one atomic step."""
    _fsync_tree(tmp_dir)
    final = tmp_dir.parent / time.strftime("%Y%m%dT%H%M%S") 
    final = final.with_name(f"{final.name}-{uuid.uuid4().hex[:8]}")
    os.rename(tmp_dir, final)
    link_tmp = index_dir / f".{CURRENT}-{uuid.uuid4().hex}"
    os.symlink(Path(BUILDS) / final.name, link_tmp)
    os.replace(link_tmp, index_dir / CURRENT)
    _prune(index_dir, keep=final)
    return final


def _prune(index_dir: Path, keep: Path) -> None:
    """Remove old builds (keeping the newest few) and temporary folders of crashed builds."""
    builds = sorted((p for p in (index_dir / BUILDS).iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    finished = [p for p in builds if not p.name.startswith(".tmp-")]
    for path in finished[:-KEEP_BUILDS]:
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
    for path in builds:
        if path.name.startswith(".tmp-") and time.time() - path.stat().st_mtime > 3600:
            shutil.rmtree(path, ignore_errors=True)


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
