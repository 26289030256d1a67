"""What the fast path (fast_cli.py) needs to know of click's commands, written from click's own
objects: the options are defined once, in cli.py and cli_options.py."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from typing import Any

import click

from labcheck.fast_cli import FAST, FORMAT, table_path


class _Unsupported(Exception):
    """A parameter the fast path cannot treat exactly as click does: its command stays with click."""


def _type(param: click.Parameter) -> dict[str, Any]:
    kind = param.type
    if isinstance(kind, click.Choice):
        if not kind.case_sensitive:
            raise _Unsupported
        return {"type": "choice", "choices": [str(c) for c in kind.choices]}
    if isinstance(kind, click.FloatRange):
        if kind.max is not None or kind.min_open or kind.clamp:
            raise _Unsupported
        return {"type": "float", "min": kind.min}
    if isinstance(kind, click.types.FloatParamType):
        return {"type": "float", "min": None}
    if isinstance(kind, click.Path):
        if kind.exists or kind.resolve_path or kind.allow_dash or kind.type is not None:
            raise _Unsupported
        return {"type": "path", "file_okay": kind.file_okay, "dir_okay": kind.dir_okay,
                "readable": kind.readable, "writable": kind.writable, "executable": kind.executable}
    if isinstance(kind, click.types.StringParamType):
        return {"type": "text"}
    raise _Unsupported


Parse = Callable[[list[str]], dict[str, Any]]


def _param(param: click.Parameter, parse: Parse, fast: bool) -> dict[str, Any]:
    """Values as click itself gives them (`parse`: the parameters of a command line), so what a flag
    or a missing option means is click's, whatever its version."""
    default = parse([]).get(param.name or "")
    if isinstance(param, click.Argument):
        if param.nargs != -1 or not isinstance(default, tuple | type(None)):
            raise _Unsupported
        return {"name": param.name, "kind": "argument", "default": list(default or ()),
                "required": param.required}
    assert isinstance(param, click.Option)
    if fast and (param.multiple or param.count or param.nargs != 1 or param.prompt or param.callback
                 or not param.expose_value):
        raise _Unsupported
    if isinstance(default, tuple | list) or not isinstance(default, str | int | float | bool | type(None)):
        raise _Unsupported  # a default JSON cannot hold as it is
    if param.is_flag:
        opts = [[opt, parse([opt])[param.name or ""]] for opt in (*param.opts, *param.secondary_opts)]
        if not all(isinstance(value, bool) for _, value in opts):
            raise _Unsupported
        return {"name": param.name, "kind": "flag", "opts": opts, "default": default}
    record = {"name": param.name, "kind": "option", "opts": [[opt, None] for opt in param.opts],
              "default": default}
    return record | (_type(param) if fast else {})


def _envvars(param: click.Parameter, ctx: click.Context) -> list[str]:
    names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or [])
    if isinstance(param, click.Option) and param.allow_from_autoenv and ctx.auto_envvar_prefix and param.name:
        names.append(f"{ctx.auto_envvar_prefix}_{param.name.upper()}")
    return names


def describe(group: click.Group) -> dict[str, Any]:
    top = click.Context(group, info_name="labcheck", **group.context_settings)
    envvars = ["_LABCHECK_COMPLETE"]  # shell completion (click: _{PROG_NAME}_COMPLETE)
    envvars += [name for p in group.params for name in _envvars(p, top)]
    commands: dict[str, Any] = {}
    for name, command in group.commands.items():
        ctx = click.Context(command, info_name=name, parent=top)
        envvars += [env for p in command.params for env in _envvars(p, ctx)]
        if name not in FAST:
            continue
        # remember() makes sure that no variable click reads is set while it parses these
        def parse(args: list[str], command: click.Command = command, name: str = name) -> dict[str, Any]:
            return command.make_context(name, list(args), parent=top, resilient_parsing=True).params

        with contextlib.suppress(_Unsupported, KeyError):
            commands[name] = {"params": [_param(p, parse, p.name in FAST[name]) for p in command.params]}
    options = [opt for p in group.get_params(top) for opt in (*p.opts, *p.secondary_opts)]
    return {"format": FORMAT, "envvars": sorted(set(envvars)), "commands": commands,
            "group_commands": sorted(group.commands), "group_options": options}


def remember(group: click.Group) -> None:
    """Write the table once per version and CLI sources, from a run whose environment sets none of
    the variables click reads. The table only ever saves time: no failure to make it is an error."""
    with contextlib.suppress(Exception):
        path = table_path()
        if path.exists():
            return
        table = describe(group)
        if any(name in os.environ for name in table["envvars"]):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(table, indent=1), encoding="utf-8")
        os.replace(partial, path)
