"""One module per event type; each model is the value type of one topic."""

from schemas.events.answer_submitted import AnswerSubmitted
from schemas.events.audio_converted import AudioConverted, Pause
from schemas.events.base import Event
from schemas.events.credit_event import CreditEvent
from schemas.events.erasure_completed import ErasureCompleted, StoreChecked
from schemas.events.feedback import Engines, Feedback, Metrics, RubricScores
from schemas.events.progress import Progress, WindowScores
from schemas.events.question_asked import QuestionAsked
from schemas.events.rejected import Rejected
from schemas.events.request_throttled import RequestThrottled
from schemas.events.transcript import Transcript, Word
from schemas.events.user_event import UserEvent
from schemas.events.word_stats import LemmaCount, WordStats

__all__ = [
    "AnswerSubmitted",
    "AudioConverted",
    "CreditEvent",
    "Engines",
    "ErasureCompleted",
    "Event",
    "Feedback",
    "LemmaCount",
    "Metrics",
    "Pause",
    "Progress",
    "QuestionAsked",
    "Rejected",
    "RequestThrottled",
    "RubricScores",
    "StoreChecked",
    "Transcript",
    "UserEvent",
    "WindowScores",
    "Word",
    "WordStats",
]
