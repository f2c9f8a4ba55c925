"""What each agent tool is, for the policy, the console and capability filters.

A spec is static: it describes the tool, not one call. The facts the policy classifies (amounts,
price changes, supplier status) are computed per call by the write tool's ``prepare`` step.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies import Access, ActionKind

#: Which system a tool talks to. Supplier tools take the supplier (CJdropshipping, Printful) as
#: an argument, so they share one service.
Service = Literal["shopify", "github", "supplier"]

#: The key under which a LangChain tool's ``metadata`` carries its spec.
METADATA_KEY = "royal"


class ToolSpec(BaseModel):
    """Name, purpose and policy metadata of one agent tool."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    description: str = Field(min_length=1, description="Written for the LLM that calls the tool.")
    service: Service
    access: Access
    action_kinds: tuple[ActionKind, ...] = Field(
        default=(),
        description="Kinds of the actions a write proposes (more than one when the lookup "
        "decides, e.g. create or update); empty for reads.",
    )
    money_fields: tuple[str, ...] = Field(
        default=(),
        description="Argument paths carrying money ('variants[].price'): decimal strings in the "
        "shop's (or the supplier's) currency.",
    )
    idempotent_key_support: bool = Field(
        default=False,
        description="The write passes the gate's idempotency key to the service, so a "
        "re-executed write is applied once by the service itself.",
    )

    @model_validator(mode="after")
    def _kinds_only_on_writes(self) -> Self:
        if self.access is Access.WRITE and not self.action_kinds:
            raise ValueError(f"write tool {self.name} needs at least one action kind")
        if self.access is Access.READ and (self.action_kinds or self.idempotent_key_support):
            raise ValueError(f"read tool {self.name} proposes no actions")
        return self

    @property
    def is_write(self) -> bool:
        return self.access is Access.WRITE

    def metadata(self) -> dict[str, object]:
        """The LangChain ``tool.metadata`` value: ``{"royal": <spec as JSON>}``."""
        return {METADATA_KEY: self.model_dump(mode="json")}
