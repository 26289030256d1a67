"""Cross-check a step's checks: unique ids, known depends_on targets, no cycles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labcheck.spec import StepSpec

LineOf = Callable[[tuple[Any, ...]], int]


def check_graph(step: StepSpec, line_of: LineOf, source: str) -> list[str]:
    errors: list[str] = []
    index: dict[str, int] = {}
    for i, check in enumerate(step.checks):
        if check.id in index:
            errors.append(f"{source}:{line_of(('checks', i, 'id'))}: checks[{i}].id: duplicate check id "
                          f"'{check.id}' (first at checks[{index[check.id]}])")
        else:
            index[check.id] = i
    for i, check in enumerate(step.checks):
        for j, dep in enumerate(check.depends_on):
            if dep not in index:
                errors.append(f"{source}:{line_of(('checks', i, 'depends_on', j))}: "
                              f"checks[{i}].depends_on[{j}]: unknown check id '{dep}'")
            elif dep == check.id:
                errors.append(f"{source}:{line_of(('checks', i, 'depends_on', j))}: "
                              f"checks[{i}].depends_on[{j}]: a check cannot depend on itself")
            elif check.visibility == "visible" and step.checks[index[dep]].visibility != "visible":
                # its "skipped: <dep> did not pass" would tell the student about the hidden check
                errors.append(f"{source}:{line_of(('checks', i, 'depends_on', j))}: "
                              f"checks[{i}].depends_on[{j}]: a visible check cannot depend on "
                              f"'{dep}', which is {step.checks[index[dep]].visibility}")
    if errors:
        return errors
    cycle = find_cycle({c.id: list(c.depends_on) for c in step.checks})
    if cycle:
        i = index[cycle[0]]
        errors.append(f"{source}:{line_of(('checks', i, 'depends_on'))}: checks[{i}].depends_on: "
                      f"dependency cycle {' -> '.join(cycle)}")
    return errors


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle as a path that returns to its start, or None."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def topological_order(step: StepSpec) -> list[str]:
    """Check ids so that every check comes after the ones it depends on; ties keep file order."""
    done: list[str] = []
    pending = [c for c in step.checks]
    while pending:
        for check in pending:
            if all(dep in done for dep in check.depends_on):
                done.append(check.id)
                pending.remove(check)
                break
        else:  # a cycle: the loader rejects these, keep going rather than loop
            done.extend(c.id for c in pending)
            break
    return done
