"""Validated labs, cached by scenario digest, so grading a lab that has not changed skips pydantic.

The first load of a lab validates it with the models (loader.py) and stores what they made:
every field of every model, tagged with its class, as JSON in the user's cache folder
($XDG_CACHE_HOME/labcheck/labs, else ~/.cache/labcheck/labs). The entry's name is a digest of every
lab YAML file, labcheck's version and the source files that define the format, so any change to
either is a miss. Later runs rebuild the same objects with `model_construct` (no validation);
`labcheck check`/`list`/`explain` first ask `prefer_light`, which makes the models light stand-ins
(labcheck/core/light.py) when the entry is good, so pydantic is not even imported. An entry that
cannot be read or rebuilt is ignored and written again.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labcheck import __version__
from labcheck.core.sha import sha256

if TYPE_CHECKING:
    from labcheck.spec import Lab

FORMAT = "labcheck-labcache/1"
# the files whose code decides what a validated lab holds (relative to the package)
FORMAT_SOURCES = ("checks", "spec.py", "core/i18n.py", "core/light.py", "core/model.py", "labcache.py")
RESTARTED = "LABCHECK_LAB_CACHE_RESTARTED"
_loaded: dict[str, dict[str, Any]] = {}  # entry path -> its JSON, read by prefer_light


def cache_root() -> Path:
    """$XDG_CACHE_HOME/labcheck, else ~/.cache/labcheck: the labs/ folder and the CLI's table."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "labcheck"


def cache_dir() -> Path:
    return cache_root() / "labs"


def lab_digest(lab_root: str | Path) -> str:
    """sha256 over a lab's YAML files (relative path and bytes, in path order): which version
    of the lab graded a run, for receipts and JUnit."""
    root = Path(lab_root)
    sha = sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".yaml", ".yml")):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return "sha256:" + sha.hexdigest()


def code_fingerprint(sources: Iterable[str] = FORMAT_SOURCES) -> str:
    """labcheck's version and the size and time of each of its source files named (a folder: its
    modules), so that any change to them is a new key."""
    package = Path(__file__).parent  # the installed layout (labcheck/checks), links followed by stat
    sha = sha256(__version__.encode())
    for name in sources:
        target = package / name
        for path in sorted(target.glob("*.py")) if target.is_dir() else [target]:
            with_stat = path.stat()
            sha.update(f"{path.name}:{with_stat.st_size}:{with_stat.st_mtime_ns}\0".encode())
    return sha.hexdigest()


def entry_path(root: Path, digest: str) -> Path:
    key = sha256(f"{digest}\0{code_fingerprint()}\0{root.resolve()}".encode()).hexdigest()[:40]
    return cache_dir() / f"{key}.json"


def _read(path: Path) -> dict[str, Any] | None:
    if str(path) in _loaded:
        return _loaded[str(path)]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != __version__:
        return None
    if not isinstance(data.get("lab"), dict) or not isinstance(data.get("steps"), dict):
        return None
    _loaded[str(path)] = data
    return data


def prefer_light(lab: str | Path) -> bool:
    """Before anything imports the models: use the light ones if this lab's entry is good."""
    if os.environ.pop(RESTARTED, None) or os.environ.get("LABCHECK_LAB_CACHE") == "off" \
            or "labcheck.core.model" in sys.modules:
        return False
    from labcheck.errors import SpecError
    from labcheck.loader import resolve_lab_dir

    try:
        root = resolve_lab_dir(lab)
        path = entry_path(root, lab_digest(root))
    except (SpecError, OSError):
        return False
    if _read(path) is None:
        return False
    import labcheck.core

    labcheck.core.light_models = True  # type: ignore[attr-defined]  # read by labcheck.core.model
    return True


def encode(value: Any) -> Any:
    from labcheck.core.model import BaseModel

    if isinstance(value, BaseModel):
        kind = type(value)
        return {"$m": f"{kind.__module__}:{kind.__qualname__}",
                "f": {name: encode(getattr(value, name)) for name in kind.model_fields}}
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$d": {str(k): encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "$m" in value:
            module, _, name = str(value["$m"]).partition(":")
            if not module.startswith("labcheck."):
                raise ValueError(f"not a labcheck model: {module}")
            kind: Any = importlib.import_module(module)
            for part in name.split("."):
                kind = getattr(kind, part)
            return kind.model_construct(**{k: decode(v) for k, v in value["f"].items()})
        if "$t" in value:
            return tuple(decode(v) for v in value["$t"])
        return {k: decode(v) for k, v in value["$d"].items()}
    return value


def load(root: Path) -> Lab | None:
    """The lab as validated before, or None (no entry, or one that cannot be used)."""
    from labcheck.spec import Lab

    digest = lab_digest(root)
    data = _read(entry_path(root, digest))
    if data is None:
        return None
    try:
        lab = Lab(decode(data["lab"]), {k: decode(v) for k, v in data["steps"].items()}, str(root))
    except Exception:  # noqa: BLE001  an entry from a broken write or another labcheck: rebuild it
        return None
    lab._digest = digest
    return lab


def store(lab: Lab) -> None:
    """Remember a lab that just passed validation; a cache that cannot be written is no error."""
    from labcheck.files import write_text

    root = Path(lab.root)
    data = {"format": FORMAT, "version": __version__, "root": str(root.resolve()), "digest": lab.digest(),
            "lab": encode(lab.spec), "steps": {k: encode(v) for k, v in lab.steps.items()}}
    with contextlib.suppress(OSError, TypeError):
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_text(entry_path(root, lab.digest()), text)


def restart_full(root: Path) -> None:
    """Light models were chosen but the entry turned out unusable: drop it and run again with
    pydantic's (which validates the lab and writes the entry anew)."""
    with contextlib.suppress(OSError):
        entry_path(root, lab_digest(root)).unlink()
    os.environ[RESTARTED] = "1"  # this run chooses pydantic's models, whatever the cache holds
    os.execv(sys.executable, [sys.executable, "-m", "labcheck", *sys.argv[1:]])
