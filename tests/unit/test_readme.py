"""The README stays true: its configuration table and the CI entry point match the code."""

from pathlib import Path

from server.config_view import markdown_table

ROOT = Path(__file__).resolve().parents[2]
TEST_COMMAND = "python3 -m pip install -q uv && python3 -m uv run --frozen scripts/test"
RUN_COMMAND = "python3 -m pip install -q uv && python3 -m uv run --frozen royal up"


def test_configuration_table_is_generated_from_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme, "regenerate the README table from server.config_view"


def test_readme_names_both_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert TEST_COMMAND in readme
    assert RUN_COMMAND in readme
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()
