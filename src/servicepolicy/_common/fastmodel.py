"""Every use of pydantic's internals, in one place.

Two things need more than pydantic's public API:

* building a model from values already known to be valid (an evaluation's results), without
  ``model_construct``'s per-call default handling, which costs more than the evaluation;
* private attributes (a calendar's clock, a policy's prepared evaluator, an evaluation's
  ticket fields) read and written where pydantic's ``__getattr__`` costs more than the query
  that needs them;
* a pickle made before a model gained a field, which must load with that field's default.

All rely on how pydantic v2 lays out a model instance: the slots ``__dict__``,
``__pydantic_fields_set__``, ``__pydantic_extra__`` and ``__pydantic_private__`` (a dict of
private attributes by name, or None), and on ``__getstate__`` keeping the private attributes
under ``"__pydantic_private__"``.  ``tests/common/test_fastmodel.py`` fails when a pydantic
release changes any of that.  The compiled build (docs/performance.md) compiles this module.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)

# The slots every pydantic model has, set through their descriptors.
_new: Final = object.__new__
_set_dict: Final = BaseModel.__dict__["__dict__"].__set__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__
PRIVATE_STATE: Final = "__pydantic_private__"
"""The key of the private attributes in a model's ``__getstate__``."""
FIELDS_STATE: Final = "__dict__"
"""The key of the field values in a model's ``__getstate__``."""


def build_model(cls: type[_M], values: dict[str, Any], private: dict[str, Any] | None = None) -> _M:
    """An instance of ``cls`` from already-valid ``values`` holding every field.

    What ``model_construct`` does, without its per-call default handling.
    """
    instance = _new(cls)
    _set_dict(instance, values)
    _set_fields_set(instance, set(values))
    _set_extra(instance, None)
    _set_private(instance, private)
    return instance


def private_value(model: BaseModel, name: str) -> Any:
    """The private attribute ``name`` of ``model`` (None when it has none)."""
    private = model.__pydantic_private__
    return None if private is None else private.get(name)


def set_private_value(model: BaseModel, name: str, value: Any) -> None:
    """Set the private attribute ``name`` of ``model``, even on a frozen model."""
    private = model.__pydantic_private__
    if private is None:
        _set_private(model, {name: value})
    else:
        private[name] = value


def state_without(state: dict[Any, Any], name: str) -> dict[Any, Any]:
    """A model's ``__getstate__`` with its private attribute ``name`` set to None (a cache
    that a copy or a pickle rebuilds on first use)."""
    private = state.get(PRIVATE_STATE)
    if private:
        state[PRIVATE_STATE] = {**private, name: None}
    return state


def state_with_defaults(cls: type[BaseModel], state: dict[Any, Any]) -> dict[Any, Any]:
    """A model's pickled state with the default of every field it lacks: a pickle made before
    ``cls`` gained those fields loads as if they had been left out."""
    values = state.get(FIELDS_STATE)
    if isinstance(values, dict):
        for name, field in cls.model_fields.items():
            if name not in values:
                values[name] = field.get_default(call_default_factory=True)
    return state
