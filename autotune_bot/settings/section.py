"""The base model every section of ``.autotune.yml`` derives from."""

from __future__ import annotations

from typing import Any, get_origin

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Section"]


class Section(BaseModel):
    """Base of every settings section: frozen, unknown keys rejected, ``key:`` = defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections_mean_defaults(cls, data: Any) -> Any:
        """``key:`` with no value, for a section, list or mapping, means its default."""
        if not isinstance(data, dict):
            return data
        containers = {
            name
            for name, info in cls.model_fields.items()
            if get_origin(info.annotation) in (dict, tuple)
            or (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel))
        }
        return {
            key: value for key, value in data.items() if value is not None or key not in containers
        }
