"""The agents' hands: every client capability as a LangChain structured tool.

Read tools call the typed clients and return JSON. Write tools never call a client's write
method themselves: they prepare a typed ``policies.Action`` (facts computed by code from the
args as the service will receive them) and hand it to a ``WriteGate``. The default gate refuses;
``nodes.approval.tool_gate.gate_for_runtime`` is the approval gate. Each tool carries its
``ToolSpec`` as ``tool.metadata["royal"]``.
"""

from tools.agent_tools.clients import (
    SupplierStatusLookup,
    ToolClients,
    no_status,
    supplier_ref,
)
from tools.agent_tools.definition import (
    Facts,
    ReadTool,
    Summary,
    ToolArgs,
    WriteArgs,
    WriteTool,
    to_json,
)
from tools.agent_tools.errors import ToolInputError, client_errors
from tools.agent_tools.registry import (
    READ_TOOLS,
    WRITE_TOOLS,
    build_agent_tools,
    spec_of,
    tool_specs,
    tools_for,
    write_tool,
)
from tools.agent_tools.spec import METADATA_KEY, Service, ToolSpec
from tools.agent_tools.writes import (
    Execute,
    PreparedWrite,
    Rebuild,
    WriteGate,
    WriteNotGatedError,
    WriteOutcome,
    WriteStatus,
    refuse_writes,
)

__all__ = [
    "METADATA_KEY",
    "READ_TOOLS",
    "WRITE_TOOLS",
    "Execute",
    "Facts",
    "PreparedWrite",
    "ReadTool",
    "Rebuild",
    "Service",
    "Summary",
    "SupplierStatusLookup",
    "ToolArgs",
    "ToolClients",
    "ToolInputError",
    "ToolSpec",
    "WriteArgs",
    "WriteGate",
    "WriteNotGatedError",
    "WriteOutcome",
    "WriteStatus",
    "WriteTool",
    "build_agent_tools",
    "client_errors",
    "no_status",
    "refuse_writes",
    "spec_of",
    "supplier_ref",
    "to_json",
    "tool_specs",
    "tools_for",
    "write_tool",
]
