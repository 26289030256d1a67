"""`labcheck step-04`, `list` and `explain` without importing click, when the command line is plain.

Importing click costs ~35 ms, a fifth of a whole `labcheck step-04`. The options stay defined once,
with click (cli.py); a run through click writes what they are — names, types, defaults, the
variables click reads — to the user cache (cli_table.py), keyed by labcheck's version and its CLI
sources, and later runs read it here. Anything else goes to click, which decides as it always did:
no table or a stale one, help, completion, any LABCHECK_* variable click would read, an option
outside FAST (--junit-xml, --receipt, --format ...), `--`, bundled short options, a value click
would refuse or check (a choice not offered, a negative --wait, a --files that is a file), a
missing required argument. tests/unit/test_fast_cli.py holds both parsers side by side.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from labcheck.labcache import cache_root, code_fingerprint

FORMAT = "labcheck-cli-table/1"
FAST: dict[str, frozenset[str]] = {  # the parameters a plain command line may set here
    "check": frozenset({"steps", "all_steps", "lab", "kubeconfig", "context", "namespace", "output", "lang",
                        "wait", "timeout", "watch", "files_dir", "verbose", "color", "no_progress"}),
    "list": frozenset({"lab", "lang"}),
    "explain": frozenset({"steps", "lab", "lang"}),
}
SOURCES = ("cli.py", "cli_options.py", "cli_authoring.py", "cli_table.py", "fast_cli.py", "commands.py",
           "core/lang.py")
_NO = object()



def table_path() -> Path:
    """Beside the lab cache, keyed as its entries are (labcheck's version, the CLI's sources)."""
    return cache_root() / f"cli-{code_fingerprint(SOURCES)[:32]}.json"


def read_table() -> dict[str, Any] | None:
    try:
        table = json.loads(table_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return table if isinstance(table, dict) and table.get("format") == FORMAT else None


def _convert(param: dict[str, Any], raw: str) -> Any:
    kind = param["type"]
    if kind == "text":
        return raw
    if kind == "choice":
        return raw if raw in param["choices"] else _NO
    if kind == "float":
        try:
            value = float(raw)
        except ValueError:
            return _NO
        return value if param["min"] is None or value >= param["min"] else _NO
    if kind == "path":  # click checks an existing path only
        if not os.path.lexists(raw):
            return raw
        if not param["dir_okay" if os.path.isdir(raw) else "file_okay"]:
            return _NO
        if not all(os.access(raw, mode) for flag, mode in (("readable", os.R_OK), ("writable", os.W_OK),
                                                             ("executable", os.X_OK)) if param[flag]):
            return _NO
        return raw
    return _NO


def parse(argv: list[str], environ: dict[str, str] | os._Environ[str],
          table: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """(command, the arguments its callback gets from click), or None: click decides."""
    if table is None or not argv or any(name in environ for name in table["envvars"]):
        return None
    if argv[0] in table["commands"]:
        name, rest = argv[0], argv[1:]
    elif argv[0] in table["group_commands"] or argv[0] in table["group_options"]:
        return None
    else:
        name, rest = "check", argv  # as StepShortcutGroup: a step id or a check option
    spec = table["commands"].get(name)
    if spec is None:
        return None
    params = {p["name"]: tuple(p["default"]) if p["kind"] == "argument" else p["default"]
              for p in spec["params"]}
    options = {opt: (p, value) for p in spec["params"] if p["name"] in FAST[name]
               for opt, value in p.get("opts", ())}
    positional: list[str] = []
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        if not token.startswith("-") or token == "-":
            positional.append(token)
            continue
        if token == "--" or (not token.startswith("--") and len(token) != 2):
            return None
        opt, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if opt not in options:
            return None
        param, flag_value = options[opt]
        if param["kind"] == "flag":
            if eq:
                return None
            params[param["name"]] = flag_value
            continue
        if not eq:
            if i >= len(rest) or (rest[i].startswith("-") and rest[i] != "-"):
                return None  # no value, or one that looks like an option: click's call
            inline, i = rest[i], i + 1
        value = _convert(param, inline)
        if value is _NO:
            return None
        params[param["name"]] = value
    argument = next((p for p in spec["params"] if p["kind"] == "argument"), None)
    if positional:
        if argument is None or argument["name"] not in FAST[name]:
            return None
        params[argument["name"]] = tuple(positional)
    elif argument is not None and argument["required"]:
        return None
    return name, params


def run() -> None:
    """Entry point (`labcheck`, `python -m labcheck`): the fast path, else click's."""
    plan = parse(sys.argv[1:], os.environ, read_table())
    if plan is None:
        from labcheck.cli import run as run_with_click

        run_with_click()
        return
    from labcheck import commands

    name, params = plan
    try:
        if name == "check":
            commands.check_command(**params)  # exits
        text = commands.list_text(**params) if name == "list" else commands.explain_text(**params)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt) as exc:
        sys.exit(commands.exit_for(exc, lambda line: print(line, file=sys.stderr, flush=True)))
    sys.exit(0)
