"""Helpdesks the support agent answers customers through, behind one ``Helpdesk`` protocol."""

from tools.helpdesk.models import Comment, HelpdeskUser, Ticket, TicketStatus
from tools.helpdesk.protocol import Helpdesk, HelpdeskError
from tools.helpdesk.zendesk import ZendeskClient, build_helpdesk

__all__ = [
    "Comment",
    "Helpdesk",
    "HelpdeskError",
    "HelpdeskUser",
    "Ticket",
    "TicketStatus",
    "ZendeskClient",
    "build_helpdesk",
]
