"""The pydantic names the lab format's models use: pydantic's own, or light stand-ins.

The models (checks/<kind>.py, spec.py, Text) are the one definition of the lab format and are
always written against these names. A process that grades a lab validated before (its cache
entry is good: labcheck/labcache.py) asks for the stand-ins with `use_light()` before anything
imports this module; everything else (validation, lint, schema, tests) gets pydantic.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

LIGHT = bool(getattr(sys.modules.get("labcheck.core"), "light_models", False))

if TYPE_CHECKING or not LIGHT:
    from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
else:
    from labcheck.core.light import (
        BaseModel,
        ConfigDict,
        Field,
        PrivateAttr,
        field_validator,
        model_validator,
    )

__all__ = ["LIGHT", "BaseModel", "ConfigDict", "Field", "PrivateAttr", "field_validator", "model_validator"]
