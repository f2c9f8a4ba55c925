"""Reviews apps the review agent reads and answers through, behind one ``ReviewsApp``."""

from tools.reviews.judgeme import JudgeMeClient, build_reviews
from tools.reviews.models import Review, Reviewer, ReviewReply, ReviewRequest
from tools.reviews.protocol import AlreadyReplied, ReviewsApp, ReviewsError

__all__ = [
    "AlreadyReplied",
    "JudgeMeClient",
    "Review",
    "ReviewReply",
    "ReviewRequest",
    "Reviewer",
    "ReviewsApp",
    "ReviewsError",
    "build_reviews",
]
