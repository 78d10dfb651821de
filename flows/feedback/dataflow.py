"""Feedback flow (Quix Streams): the parts of each answer joined per learner → feedback
(and a credit charge per GPT request)."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from quixstreams import Application

from clients.grammar import GrammarClient
from clients.keyring import Keyring
from clients.openai import OpenAISettings, openai_client
from clients.settings import GrammarConnection
from flows.common.quix_io import application, fold, read_events, run_app, write_records
from flows.common.records import DEAD_LETTERS, event_record
from flows.common.settings import FlowSettings
from flows.feedback.engines.base import QuestionInfo
from flows.feedback.engines.local import LocalGrader
from flows.feedback.engines.openai import OpenAIGrader
from flows.feedback.grading import Graders
from flows.feedback.join import LearnerState
from flows.feedback.step import OUTPUTS, logic
from flows.language.lexicon import load_lexicon
from questionbank.catalog import QuestionCatalog
from questionbank.connector import CDC_TOPIC
from schemas.topics import topic_for

NAME = "feedback"


class FeedbackSettings(FlowSettings):
    # auto: OpenAI when an API key is configured, the local grader otherwise.
    feedback_engine: Literal["auto", "local", "openai"] = "auto"
    openai: OpenAISettings = OpenAISettings()
    grammar: GrammarConnection = GrammarConnection()
    # Off: language use is vocabulary alone, and every Feedback says the checker is off.
    grammar_check: bool = True
    catalog_timeout_s: float = 60.0


def graders(settings: FeedbackSettings) -> Graders:
    lexicon = load_lexicon()
    local = LocalGrader(lexicon)
    checker = GrammarClient(settings.grammar).check if settings.grammar_check else None
    use_openai = settings.feedback_engine == "openai" or (
        settings.feedback_engine == "auto" and settings.openai.api_key is not None
    )
    if not use_openai:
        return Graders(local, None, checker)
    client = openai_client(settings.openai)
    return Graders(local, OpenAIGrader(client, settings.openai.feedback_model, lexicon), checker)


def question_lookup(catalog: QuestionCatalog) -> Any:
    def lookup(question_id: str) -> QuestionInfo | None:
        question = catalog.get(question_id)
        if question is None:
            return None
        return QuestionInfo(
            question_id=question.question_id,
            text=question.text,
            category=question.category,
            answer_time_s=question.answer_time_s,
            preparation_s=question.preparation_s,
        )

    return lookup


def build(settings: FeedbackSettings, catalog: QuestionCatalog) -> Application:
    app = application(settings, NAME)
    ns = settings.topic_namespace
    flow = logic(graders(settings), question_lookup(catalog))
    keyring = Keyring(settings.kafka, ns)
    events = read_events(app, settings, *flow.inputs, keyring=keyring)
    step = fold(
        flow, "LearnerState", LearnerState.model_dump_json, LearnerState.model_validate_json,
        partial(event_record, namespace=ns, keyring=keyring), keyring=keyring,
    )  # fmt: skip
    records = events.apply(step, stateful=True, expand=True)
    outputs = [topic_for(o.EVENT_TYPE, ns) for o in OUTPUTS]
    write_records(app, records, [*outputs, ns + DEAD_LETTERS])
    return app


def main() -> None:
    """Entry point of `speech-coach flow feedback`: settings from the environment."""
    settings = FeedbackSettings()
    with QuestionCatalog(settings.kafka, settings.topic_namespace + CDC_TOPIC) as catalog:
        catalog.wait_until_loaded(settings.catalog_timeout_s)
        run_app(build(settings, catalog))
