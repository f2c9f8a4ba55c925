"""Prompt templates load by name, carry version and hash, render strictly, and fail clearly."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from prompts import (
    TEMPLATES_DIR,
    PromptFormatError,
    PromptLibrary,
    PromptNotFoundError,
    PromptVariableError,
    available_prompts,
    format_value,
    load_prompt,
    prompt_versions,
)

SHIPPED = {
    "ceo_plan",
    "ceo_summary",
    "product_scout_rank",
    "supplier_vetting_note",
    "pricing_rationale",
    "copywriting_seo",
    "ceo_product_decision",
}


def test_the_product_pipeline_prompts_ship() -> None:
    assert set(available_prompts()) >= SHIPPED


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_prompt_states_the_approval_rule(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.description
    assert "never decide risk or approval" in " ".join(prompt.system_template.split())
    assert "## Your inputs" in prompt.system_template
    assert "## Output contract" in prompt.system_template
    rendered = prompt.render(**{v: f"<{v}>" for v in prompt.input_variables})
    for variable in prompt.input_variables:
        assert f"<{variable}>" in rendered.system + (rendered.human or "")


def test_version_and_hash_identify_the_exact_file() -> None:
    prompt = load_prompt("ceo_plan")
    raw = (TEMPLATES_DIR / "ceo_plan.md").read_bytes()
    assert prompt.sha256 == hashlib.sha256(raw).hexdigest()
    assert prompt.version == "1.1.0"
    assert prompt.version_tag == f"1.1.0+{prompt.sha256[:12]}"
    versions = prompt_versions()
    assert versions["ceo_plan"] == prompt.version_tag
    assert set(versions) == set(available_prompts())
    assert load_prompt("ceo_plan") is prompt  # parsed once per process


def test_render_fills_variables_and_writes_structures_as_json() -> None:
    class Cluster(BaseModel):
        id: str
        capabilities: list[str]

    prompt = load_prompt("ceo_plan")
    rendered = prompt.render(
        goal="Find 2 products under €30",
        clusters=[Cluster(id="product", capabilities=["scout", "publish"])],
        active_goals=[],
        today="2026-03-01",
    )
    assert rendered.human == "Operator's goal: Find 2 products under €30"
    assert '"id": "product"' in rendered.system
    assert "{{" not in rendered.system
    history = [HumanMessage("earlier"), AIMessage("answer")]
    messages = rendered.messages(history)
    assert [type(m) for m in messages] == [SystemMessage, HumanMessage, AIMessage, HumanMessage]
    assert format_value(Decimal("29.90")) == "29.90"
    assert format_value({"a": Decimal("1.5")}) == '{\n  "a": "1.5"\n}'


def test_render_fails_clearly_on_missing_and_unknown_variables() -> None:
    prompt = load_prompt("ceo_plan")
    with pytest.raises(PromptVariableError) as info:
        prompt.render(goal="x", clusters="y", todya="typo")
    message = str(info.value)
    assert "'ceo_plan' v1.1.0" in message
    assert "missing variable(s): active_goals, today" in message
    assert "unknown variable(s): todya" in message


def test_chat_prompt_template_matches_render() -> None:
    prompt = load_prompt("ceo_plan")
    values = {
        "goal": "Raise conversion {by} 5%",
        "clusters": '[{"id": "product"}]',
        "active_goals": "none",
        "today": "2026-03-01",
    }
    template = prompt.as_chat_prompt()
    assert set(template.input_variables) == set(values)
    assert template.metadata == {"prompt_name": "ceo_plan", "prompt_version": prompt.version_tag}
    history = [HumanMessage("hi"), AIMessage("hello")]
    via_langchain = template.format_messages(**values, history=history)
    assert via_langchain == prompt.format_messages(history, **values)


def test_unknown_name_lists_the_available_prompts() -> None:
    with pytest.raises(PromptNotFoundError) as info:
        load_prompt("ceo_plna")
    assert "no prompt named 'ceo_plna'" in str(info.value)
    assert "ceo_plan" in info.value.available
    with pytest.raises(PromptNotFoundError):
        load_prompt("../settings/model")


def _write(directory: Path, name: str, text: str) -> PromptLibrary:
    (directory / f"{name}.md").write_text(text, encoding="utf-8")
    return PromptLibrary(directory)


GOOD_BODY = "<!-- system -->\nSay {{thing}}.\n<!-- human -->\nNow.\n"


@pytest.mark.parametrize(
    ("front_matter", "body", "error"),
    [
        (
            "version: 1.0.0\ndescription: d\ninput_variables: [thing]\n",
            "Say {{thing}}.\n",
            "marker",
        ),
        ("version: one\ndescription: d\ninput_variables: [thing]\n", GOOD_BODY, "version"),
        ("version: 1.0.0\ndescription: d\ninput_variables: []\n", GOOD_BODY, "undeclared"),
        ("version: 1.0.0\ndescription: d\ninput_variables: [thing, x]\n", GOOD_BODY, "unused"),
        (
            "version: 1.0.0\ndescription: d\ninput_variables: [thing]\nextra: 1\n",
            GOOD_BODY,
            "extra",
        ),
        ("version: 1.0.0\ndescription: [unclosed\n", GOOD_BODY, "not valid YAML at line"),
        (
            "version: 1.0.0\ndescription: d\ninput_variables: [thing]\n",
            "<!-- human -->\nNow.\n<!-- system -->\nSay {{thing}}.\n",
            "sections must be",
        ),
    ],
)
def test_malformed_templates_name_the_file_and_the_problem(
    tmp_path: Path, front_matter: str, body: str, error: str
) -> None:
    library = _write(tmp_path, "broken", f"---\n{front_matter}---\n{body}")
    with pytest.raises(PromptFormatError, match=error) as info:
        library.load("broken")
    assert "broken.md" in str(info.value)


def test_a_library_reads_its_own_directory(tmp_path: Path) -> None:
    library = _write(
        tmp_path,
        "greet",
        "---\nversion: 2.1\ndescription: d\ninput_variables: [thing]\n---\n" + GOOD_BODY,
    )
    prompt = library.load("greet")
    assert prompt.version == "2.1"
    assert prompt.render(thing="hi").system == "Say hi."
    assert library.versions() == {"greet": prompt.version_tag}
