"""The JSON Schema of the lab format, for editors (yaml-language-server) and `labcheck schema`."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from labcheck.spec import LabSpec, StepSpec

SCHEMA_ID = "https://labcheck.dev/schema/labcheck.schema.json"


def build_schema() -> dict[str, Any]:
    lab = TypeAdapter(LabSpec).json_schema(ref_template="#/$defs/{model}")
    step = TypeAdapter(StepSpec).json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = {**lab.pop("$defs", {}), **step.pop("$defs", {})}
    defs["LabSpec"] = lab
    defs["StepSpec"] = step
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "labcheck lab.yaml or step file",
        "description": "A lab (lab.yaml) or one of its steps (step-NN.yaml).",
        "anyOf": [{"$ref": "#/$defs/LabSpec"}, {"$ref": "#/$defs/StepSpec"}],
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
