"""Feedback, rejections and erasure reports, read from their topics and sent to the learner
exactly once.

- Offsets are committed only after Telegram accepted the message (or refused it for good),
  and never past a message still being sent: a crash re-sends at most the replies that
  were in flight. Replies to different chats are sent concurrently (each chat in order).
- Replies are deduplicated by answer_id (an erasure report by its request's id): a flow
  that re-emits a Feedback (a replay, a retry) causes no second message. At startup the
  set is rebuilt from the reply topics, read from the beginning up to the group's committed
  offsets: everything before them was replied to.
- A rejection at intake is not sent: the bot told the learner as it refused the voice note
  (bot/intake.py). A rejection without a chat (stages after conversion do not know it) goes
  to the chat in the learner's record in the read models, written from the bot's own
  UserEvents; a learner without one never used the bot (CLI practice) and is skipped.
- An erasure report carries its chat and language: the learner's record is gone by then.
- confluent-kafka blocks, so every consumer call runs on one dedicated thread: calls stay
  in order, and `close` never overlaps a `poll` still running when the task is cancelled.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Message, TopicPartition

from bot.i18n import DEFAULT_LANGUAGE, Catalogs
from bot.learners import Learner, Learners
from bot.offsets import CommitTracker
from bot.readmodels import ReadModelError
from bot.replies import format_erasure, format_feedback, format_rejected
from bot.reply_sender import ReplySender
from clients.kafka import consumer
from clients.keyring import Keyring, read_event
from clients.settings import KafkaConnection
from clients.table import TableError, TableNotLoaded
from schemas.events import ErasureCompleted, Feedback, Rejected
from schemas.events.base import Language
from schemas.serde import InvalidEvent
from schemas.topics import topic_for

log = logging.getLogger(__name__)

Reply = Feedback | Rejected | ErasureCompleted
R = TypeVar("R")
METADATA_TIMEOUT_S = 10.0
STARTUP_RETRY_S = 2.0
MAX_READ_RETRY_S = 30.0


class RebuildTimeout(RuntimeError):
    """The replied-to answer ids could not be read back in time."""


def reply_topics(namespace: str) -> dict[str, type[Reply]]:
    return {
        topic_for(Feedback.EVENT_TYPE, namespace): Feedback,
        topic_for(Rejected.EVENT_TYPE, namespace): Rejected,
        topic_for(ErasureCompleted.EVENT_TYPE, namespace): ErasureCompleted,
    }


def _reply_id(topics: Mapping[str, type[Reply]], message: Message, keyring: Keyring) -> str | None:
    value = message.value()
    if value is None:
        return None
    try:
        event = read_event(topics[message.topic()], message.key(), value, keyring)
    except InvalidEvent:
        return None
    return None if event is None else reply_id(event)


def reply_id(event: Reply) -> str:
    """What a reply is sent once for: the answer, or the erasure request."""
    return event.request_event_id if isinstance(event, ErasureCompleted) else event.answer_id


def replied_before(
    reader: Consumer, topics: Mapping[str, type[Reply]], keyring: Keyring, timeout_s: float
) -> set[str]:
    """Answer ids of the reply events before the group's committed offsets (blocking)."""
    partitions = [
        TopicPartition(topic, partition)
        for topic in topics
        for partition in reader.list_topics(topic, timeout=METADATA_TIMEOUT_S)
        .topics[topic]
        .partitions
    ]
    ends: dict[tuple[str, int], int] = {}
    for committed in reader.committed(partitions, timeout=METADATA_TIMEOUT_S):
        low, _ = reader.get_watermark_offsets(committed, timeout=METADATA_TIMEOUT_S)
        if committed.offset > low:  # negative: nothing committed yet
            ends[(committed.topic, committed.partition)] = committed.offset
    replied: set[str] = set()
    if not ends:
        return replied
    reader.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t, p in ends])
    deadline = time.monotonic() + timeout_s
    try:
        while ends:
            if time.monotonic() > deadline:
                raise RebuildTimeout(f"replied answers not read back within {timeout_s:.0f}s")
            message = reader.poll(0.5)
            if message is None or message.error():
                continue
            where = (message.topic(), message.partition())
            end = ends.get(where)
            if end is None:
                continue
            if message.offset() < end and (answer_id := _reply_id(topics, message, keyring)):
                replied.add(answer_id)
            if message.offset() >= end - 1:
                del ends[where]
    finally:
        reader.unassign()
    return replied


class ReplyConsumer:
    def __init__(
        self,
        *,
        kafka: KafkaConnection,
        group_id: str,
        namespace: str,
        sender: ReplySender,
        learners: Learners,
        catalogs: Catalogs,
        rebuild_timeout_s: float = 60.0,
        read_retry_s: float = 1.0,
        poll_timeout_s: float = 0.2,
        max_in_flight: int = 200,
    ) -> None:
        self._kafka = kafka
        self._group_id = group_id
        self._namespace = namespace
        self._topics = reply_topics(namespace)
        self._keyring: Keyring | None = None  # read once the broker answers
        self._sender = sender
        self._learners = learners
        self._catalogs = catalogs
        self._rebuild_timeout_s = rebuild_timeout_s
        self._read_retry_s = read_retry_s
        self._poll_timeout_s = poll_timeout_s
        self._max_in_flight = max_in_flight
        self._tracker = CommitTracker()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reply-consumer")
        self.replied: set[str] = set()
        self.ready = asyncio.Event()  # set once rebuilt and subscribed

    async def _call(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def run(self) -> None:
        """Consumes until cancelled; raises if a reply fails in a way retrying cannot mend."""
        reader = await self._call(consumer, self._kafka, self._group_id)
        in_flight: set[asyncio.Task[None]] = set()
        try:
            await self._rebuild(reader)
            await self._call(reader.subscribe, list(self._topics))
            self.ready.set()
            slots = asyncio.Semaphore(self._max_in_flight)
            while True:
                for task in [t for t in in_flight if t.done()]:
                    in_flight.discard(task)
                    task.result()  # re-raises what stopped a reply
                message = await self._call(reader.poll, self._poll_timeout_s)
                if message is None:
                    continue
                if message.error():
                    log.warning("reply consumer: %s", message.error())
                    continue
                await slots.acquire()
                self._tracker.start((message.topic(), message.partition()), message.offset())
                # Queued now, in consumption order: replies to one chat keep their order.
                turn = await self._prepare(message)
                in_flight.add(asyncio.create_task(self._settle(reader, message, turn, slots)))
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            await self._call(reader.close)
            if self._keyring is not None:
                await self._call(self._keyring.close)
            self._executor.shutdown(wait=False)

    async def _rebuild(self, reader: Consumer) -> None:
        while True:
            try:
                if self._keyring is None:
                    self._keyring = await self._call(Keyring, self._kafka, self._namespace)
                self.replied = await self._call(
                    replied_before, reader, self._topics, self._keyring, self._rebuild_timeout_s
                )
            except (KafkaException, RebuildTimeout, TableError, TableNotLoaded) as exc:
                # The broker may be down or still starting: the bot keeps taking updates.
                log.warning("reply consumer: cannot start yet (%s); retrying", exc)
                await asyncio.sleep(STARTUP_RETRY_S)
            else:
                log.info("reply consumer: %d answers replied to before", len(self.replied))
                return

    async def _prepare(self, message: Message) -> Awaitable[bool] | None:
        """The reply, queued (or on its way to be), or None when there is nothing to send."""
        # In the consumer's thread: a key written a moment ago may be read from the broker.
        event = await self._call(self._decode, message)
        if event is None:
            return None
        replied = reply_id(event)
        if replied in self.replied:
            log.info("reply consumer: %s was replied to before", replied)
            return None
        self.replied.add(replied)
        if isinstance(event, Rejected):
            return await self._reject(event)
        # None: a CLI answer, or an operator's erasure of a learner without a chat.
        if event.chat_id is None:
            return None
        texts = self._catalogs[event.language]
        if isinstance(event, ErasureCompleted):
            return self._sender.queue(event.chat_id, format_erasure(event, texts))
        return self._sender.queue(event.chat_id, format_feedback(event, texts))

    def _decode(self, message: Message) -> Reply | None:
        value = message.value()
        if value is None:
            return None
        try:
            # None: sealed for a learner since erased; nobody to tell.
            keyring = self._keyring
            return read_event(self._topics[message.topic()], message.key(), value, keyring)
        except InvalidEvent as exc:
            # A poison message must not block every reply behind it.
            where = f"{message.topic()}@{message.offset()}"
            log.error("reply consumer: skipped %s: %s", where, exc)
            return None

    async def _reject(self, event: Rejected) -> Awaitable[bool] | None:
        if event.stage == "intake":
            # The bot told the learner as it refused the note (bot/intake.py): once is enough.
            return None
        if event.chat_id is not None:
            texts = self._catalogs[await self._language(event.user_id)]
            return self._sender.queue(event.chat_id, format_rejected(event, texts))
        # Stages after conversion do not know the chat: the learner's record does.
        try:
            learner = await self._learners.get(event.user_id, DEFAULT_LANGUAGE)
        except ReadModelError as exc:
            log.warning("reply consumer: chat of %s unknown yet (%s); retrying", event.user_id, exc)
            # Retried aside, so that only this reply waits for the read models.
            return asyncio.create_task(self._when_known(event))
        return self._to_learner(event, learner)

    def _to_learner(self, rejected: Rejected, learner: Learner) -> asyncio.Task[bool] | None:
        if learner.chat_id is None:
            log.info(
                "reply consumer: %s has no Telegram chat; rejection of %s not sent",
                learner.user_id,
                rejected.answer_id,
            )
            return None
        text = format_rejected(rejected, self._catalogs[learner.language])
        return self._sender.queue(learner.chat_id, text)

    async def _when_known(self, rejected: Rejected) -> bool:
        """Sends once the learner's record can be read, however long that takes: the offset
        is not committed past this reply meanwhile."""
        backoff = self._read_retry_s
        while True:
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_READ_RETRY_S)
            try:
                learner = await self._learners.get(rejected.user_id, DEFAULT_LANGUAGE)
            except ReadModelError as exc:
                log.warning("reply consumer: chat of %s still unknown (%s)", rejected.user_id, exc)
                continue
            turn = self._to_learner(rejected, learner)
            return turn is not None and await turn

    async def _settle(
        self,
        reader: Consumer,
        message: Message,
        turn: Awaitable[bool] | None,
        slots: asyncio.Semaphore,
    ) -> None:
        """Waits for the reply, then commits what is committable: never past an unsent one."""
        try:
            if turn is not None:
                await turn
            where = (message.topic(), message.partition())
            offset = self._tracker.finish(where, message.offset())
            if offset is not None:
                await self._commit(reader, TopicPartition(*where, offset))
        finally:
            slots.release()

    async def _commit(self, reader: Consumer, position: TopicPartition) -> None:
        try:
            await self._call(reader.commit, offsets=[position], asynchronous=False)
        except KafkaException as exc:
            # E.g. the partition moved to another bot replica: at worst that one re-sends.
            log.warning("reply consumer: commit of %s failed: %s", position, exc)

    async def _language(self, user_id: str) -> Language:
        try:
            return (await self._learners.get(user_id, DEFAULT_LANGUAGE)).language
        except ReadModelError as exc:
            # Without the read models, the language this process last set is the best guess.
            own = self._learners.own_writes.get(user_id).language
            log.warning("reply consumer: learner %s language unknown (%s)", user_id, exc)
            return DEFAULT_LANGUAGE if own is None else own.value
