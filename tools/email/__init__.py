"""Email service providers the email marketing agent sends through, behind one protocol."""

from tools.email.klaviyo import KlaviyoClient, build_email_provider
from tools.email.models import Consent, FlowMessage
from tools.email.protocol import EmailProvider, EmailProviderError

__all__ = [
    "Consent",
    "EmailProvider",
    "EmailProviderError",
    "FlowMessage",
    "KlaviyoClient",
    "build_email_provider",
]
