"""Loading labs: YAML with line numbers, Pydantic validation, and errors a course author can act on.

Every problem comes out as `path:line: field.path: what is wrong`.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labcheck.errors import SpecError

if TYPE_CHECKING:  # imported when a lab is validated, not when a cached one is graded
    import yaml
    from pydantic import BaseModel

    from labcheck.spec import Lab

# labcheck/scenarios beside this module, as importlib.resources finds it (without its 10 ms import)
BUILTIN_LABS = Path(__file__).parent / "scenarios"
MAX_YAML_BYTES = 1 << 20
MAX_NODES = 20_000  # alias bombs expand far beyond this


class Located:
    """Parsed YAML data plus the line of every mapping key and sequence item."""

    def __init__(self, data: Any, lines: dict[tuple[Any, ...], int]) -> None:
        self.data = data
        self.lines = lines

    def line_of(self, path: tuple[Any, ...]) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def _construct(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int],
               budget: list[int], source: str, loader: yaml.SafeLoader) -> Any:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:
        raise SpecError([f"{source}:{node.start_mark.line + 1}: {_format(path)}: the document is too "
                         "large or expands too much (YAML aliases)"])
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True) \
                if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            if key in result:
                raise SpecError([f"{source}:{key_node.start_mark.line + 1}: {_format(path + (key,))}: "
                                 "duplicate key"])
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, path + (key,), lines, budget, source, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), lines, budget, source, loader)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _compose(text: str) -> yaml.Node | None:
    """The node tree, with libyaml when present (several times faster); on any problem the
    pure-Python loader runs again so authors read the same, documented error text."""
    import yaml

    _FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # noqa: N806  libyaml, when PyYAML has it
    if _FAST_LOADER is not None:
        try:
            node: yaml.Node | None = yaml.compose(text, Loader=_FAST_LOADER)
            return node
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_yaml(path: Path) -> Located:
    import yaml

    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([f"{source}:1: {TOP}: cannot read: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_YAML_BYTES:
        raise SpecError([f"{source}:1: {TOP}: file is larger than {MAX_YAML_BYTES} bytes"])
    try:
        text = raw.decode("utf-8")
        node = _compose(text)
    except UnicodeDecodeError as exc:
        raise SpecError([f"{source}:1: {TOP}: not UTF-8 text ({exc.reason})"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecError([f"{source}:{line}: YAML syntax error: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise SpecError([f"{source}:1: YAML error: {_one_line(exc)}"]) from None
    except RecursionError:
        raise SpecError([f"{source}:1: {TOP}: the document is nested too deeply"]) from None
    if node is None:
        return Located({}, {(): 1})
    lines: dict[tuple[Any, ...], int] = {}
    try:
        data = _construct(node, (), lines, [MAX_NODES], source, yaml.SafeLoader(""))
    except RecursionError:
        raise SpecError([f"{source}:1: {TOP}: the document is nested too deeply"]) from None
    except yaml.MarkedYAMLError as exc:  # e.g. a tag safe loading refuses (!!python/object)
        mark = exc.problem_mark or exc.context_mark
        raise SpecError([f"{source}:{mark.line + 1 if mark else 1}: YAML error: "
                         f"{_one_line(exc.problem or exc)}"]) from None
    except yaml.YAMLError as exc:
        raise SpecError([f"{source}:1: YAML error: {_one_line(exc)}"]) from None
    return Located(data, lines)


TOP = "(top level)"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _one_line(problem: object) -> str:
    return " ".join(str(problem).split())[:300]


def _format(path: tuple[Any, ...]) -> str:
    """`checks[2].port`; a key that is not a plain name is quoted (`title[":"]`), so the line
    `file:line: field: problem` stays readable whatever keys an author wrote."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(str(part), ensure_ascii=False)[:80]}]"
    return out or TOP


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Pydantic's loc includes union tags (`checks.2.pod_state.port`); keep only real data keys."""
    path: list[Any] = []
    for part in loc:
        if (isinstance(data, dict) and part in data) or (
                isinstance(data, list) and isinstance(part, int) and part < len(data)):
            path.append(part)
            data = data[part]
        elif isinstance(data, dict) and isinstance(part, str) and data.get("kind") == part:
            continue  # the discriminator's tag
        else:
            path.append(part)
            data = None
    return tuple(path)


def validate(model: type[BaseModel], located: Located, source: str) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            path = _data_path(tuple(err["loc"]), located.data)
            if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                path += ("kind",)
            message = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}:{located.line_of(path)}: {_format(path)}: {message}")
        raise SpecError(lines) from None


def resolve_lab_dir(lab: str | Path) -> Path:
    """A folder with lab.yaml, or the name of a built-in lab."""
    path = Path(lab)
    if (path / "lab.yaml").is_file():
        return path
    if path.is_file() and path.name == "lab.yaml":
        return path.parent
    builtin = BUILTIN_LABS / str(lab)
    if "/" not in str(lab) and (builtin / "lab.yaml").is_file():
        return builtin
    known = ", ".join(sorted(p.name for p in BUILTIN_LABS.iterdir() if (p / "lab.yaml").is_file()))
    raise SpecError([f"{lab}: no lab.yaml there, and no built-in lab of that name (built-in: {known})"])


def load_lab(lab: str | Path, cache: bool = False) -> Lab:
    """The lab, validated; with `cache`, as validated before when no file changed since
    (labcheck/labcache.py), and remembered for the next run when it was validated now."""
    root = resolve_lab_dir(lab)
    if cache and os.environ.get("LABCHECK_LAB_CACHE") != "off":
        from labcheck import labcache
        from labcheck.core.model import LIGHT

        found = labcache.load(root)
        if found is not None:
            return found
        if LIGHT:  # the light models cannot validate: start again with pydantic's
            labcache.restart_full(root)
        loaded = _validated(root)
        labcache.store(loaded)
        return loaded
    return _validated(root)


def _validated(root: Path) -> Lab:
    from labcheck.graph import check_graph
    from labcheck.spec import Lab, LabSpec, StepSpec

    lab_file = root / "lab.yaml"
    located = load_yaml(lab_file)
    spec: LabSpec = validate(LabSpec, located, str(lab_file))
    steps: dict[str, StepSpec] = {}
    errors: list[str] = []
    for i, step_id in enumerate(spec.steps):
        step_file = root / f"{step_id}.yaml"
        if not step_file.is_file():
            errors.append(f"{lab_file}:{located.line_of(('steps', i))}: steps[{i}]: "
                          f"no file {step_file.name} beside lab.yaml")
            continue
        try:
            step_located = load_yaml(step_file)
            step: StepSpec = validate(StepSpec, step_located, str(step_file))
            if step.id != step_id:
                errors.append(f"{step_file}:{step_located.line_of(('id',))}: id: "
                              f"'{step.id}' does not match the file name '{step_id}'")
            errors.extend(check_graph(step, step_located.line_of, str(step_file)))
            steps[step_id] = step
        except SpecError as exc:
            errors.extend(exc.lines)
    if len(set(spec.steps)) != len(spec.steps):
        errors.append(f"{lab_file}:{located.line_of(('steps',))}: steps: a step is listed twice")
    if errors:
        raise SpecError(errors)
    return Lab(spec, steps, str(root))
