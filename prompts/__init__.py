"""Prompt templates as versioned files under ``prompts/templates``, loaded by name."""

from prompts.loader import (
    TEMPLATES_DIR,
    Prompt,
    PromptError,
    PromptFormatError,
    PromptLibrary,
    PromptMeta,
    PromptNotFoundError,
    PromptVariableError,
    RenderedPrompt,
    available_prompts,
    default_library,
    format_value,
    load_prompt,
    prompt_versions,
)

__all__ = [
    "TEMPLATES_DIR",
    "Prompt",
    "PromptError",
    "PromptFormatError",
    "PromptLibrary",
    "PromptMeta",
    "PromptNotFoundError",
    "PromptVariableError",
    "RenderedPrompt",
    "available_prompts",
    "default_library",
    "format_value",
    "load_prompt",
    "prompt_versions",
]
