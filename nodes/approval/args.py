"""Which pydantic model each write tool's arguments follow, so a host can check an approver's
edit exactly (before resuming) in any process, without running the graph."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

_MODELS: dict[str, type[BaseModel]] = {}


def register_args_model(tool: str, model: type[BaseModel]) -> None:
    existing = _MODELS.get(tool)
    if existing is not None and existing is not model:
        raise ValueError(f"{tool} already has args model {existing.__name__}")
    _MODELS[tool] = model


def args_model_for(tool: str) -> type[BaseModel] | None:
    return _MODELS.get(tool)


def args_errors(tool: str, args: dict[str, object]) -> list[str] | None:
    """One line per problem, [] when valid, None when the tool's model is unknown here."""
    model = args_model_for(tool)
    if model is None:
        return None
    try:
        model.model_validate(args)
    except ValidationError as exc:
        return [
            f"{'.'.join(str(p) for p in error['loc']) or 'args'}: {error['msg']}"
            for error in exc.errors()
        ]
    return []
