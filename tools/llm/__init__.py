"""The model layer: ChatOpenAI or the offline model per role, token and cost accounting, budgets.

Typical use in a node::

    model = chat_model("ceo", ModelConfig.from_settings(get_settings()))
    plan = await aguarded_invoke(model.with_structured_output(Plan), messages, tracker)
"""

from tools.llm.callbacks import ROLE_METADATA_KEY, UsageCallbackHandler
from tools.llm.config import (
    DEFAULT_PRICES,
    OFFLINE_MODEL_NAME,
    ROLES,
    ModelConfig,
    ModelPrice,
    PriceTable,
    Role,
    RunBudget,
)
from tools.llm.factory import OFFLINE_LABEL, ModelDescription, chat_model, describe_model
from tools.llm.guard import aguarded_invoke, estimate_call, guarded_invoke, with_usage_callback
from tools.llm.offline import OfflineChatModel
from tools.llm.responders import (
    CHAT,
    OfflineRequest,
    Responder,
    ResponderRegistry,
    default_registry,
    offline_responder,
)
from tools.llm.schema_filler import GENERIC_MARK, SchemaFillError, fill_schema
from tools.llm.tokenizer import TokenizerInfo, TokenizerUnavailableError, preload, tokenizer_info
from tools.llm.usage import (
    BudgetExceededError,
    CallEstimate,
    Usage,
    UsageSummary,
    UsageTracker,
    count_completion_tokens,
    count_text_tokens,
    count_tokens,
    format_eur,
)

__all__ = [
    "CHAT",
    "DEFAULT_PRICES",
    "GENERIC_MARK",
    "OFFLINE_LABEL",
    "OFFLINE_MODEL_NAME",
    "ROLES",
    "ROLE_METADATA_KEY",
    "BudgetExceededError",
    "CallEstimate",
    "ModelConfig",
    "ModelDescription",
    "ModelPrice",
    "OfflineChatModel",
    "OfflineRequest",
    "PriceTable",
    "Responder",
    "ResponderRegistry",
    "Role",
    "RunBudget",
    "SchemaFillError",
    "TokenizerInfo",
    "TokenizerUnavailableError",
    "Usage",
    "UsageCallbackHandler",
    "UsageSummary",
    "UsageTracker",
    "aguarded_invoke",
    "chat_model",
    "count_completion_tokens",
    "count_text_tokens",
    "count_tokens",
    "default_registry",
    "describe_model",
    "estimate_call",
    "fill_schema",
    "format_eur",
    "guarded_invoke",
    "offline_responder",
    "preload",
    "tokenizer_info",
    "with_usage_callback",
]
