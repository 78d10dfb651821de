"""Queries of the Postgres read models (connectors/readmodels.sql); the bot never writes them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from reports.history import LearnerReport, load_report
from schemas.events.base import Language


class ReadModelError(RuntimeError):
    """The read models could not be queried."""


@dataclass(frozen=True)
class LearnerRow:
    chat_id: int | None
    language: Language
    consent: bool
    updated_at: datetime


@dataclass(frozen=True)
class LastQuestionRow:
    question_id: str
    asked_at: datetime


class ReadModels:
    """One lazily opened connection, reopened after it broke; psycopg serializes its use."""

    def __init__(self, dsn: str, connect_timeout_s: int = 5) -> None:
        self._dsn = dsn
        self._connect_timeout_s = connect_timeout_s
        self._connection: psycopg.AsyncConnection[TupleRow] | None = None
        self._opening = asyncio.Lock()

    async def _connect(self) -> psycopg.AsyncConnection[TupleRow]:
        async with self._opening:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True, connect_timeout=self._connect_timeout_s
                )
            return self._connection

    async def _run(self, query: str, params: tuple[Any, ...]) -> list[TupleRow]:
        connection = await self._connect()
        cursor = await connection.execute(query, params)
        return await cursor.fetchall()

    async def _fetch(self, query: str, params: tuple[Any, ...]) -> list[TupleRow]:
        try:
            try:
                return await self._run(query, params)
            except psycopg.OperationalError:
                # A connection dropped by a Postgres restart is reopened, once.
                await self.close()
                return await self._run(query, params)
        except psycopg.Error as exc:
            raise ReadModelError(f"read models: {exc}") from exc

    async def learner(self, user_id: str) -> LearnerRow | None:
        rows = await self._fetch(
            "SELECT chat_id, language, consent, updated_at FROM rm_learners WHERE user_id = %s",
            (user_id,),
        )
        if not rows:
            return None
        chat_id, language, consent, updated_at = rows[0]
        return LearnerRow(chat_id, "ru" if language == "ru" else "en", bool(consent), updated_at)

    async def due_at(self, user_id: str) -> dict[str, datetime]:
        """When each question the learner answered is due again."""
        rows = await self._fetch(
            "SELECT question_id, due_at FROM rm_answered WHERE user_id = %s", (user_id,)
        )
        return {question_id: due for question_id, due in rows}

    async def last_question(self, user_id: str) -> LastQuestionRow | None:
        rows = await self._fetch(
            "SELECT question_id, asked_at FROM rm_last_questions WHERE user_id = %s", (user_id,)
        )
        return LastQuestionRow(*rows[0]) if rows else None

    async def balance(self, user_id: str) -> int:
        rows = await self._fetch("SELECT balance FROM rm_balances WHERE user_id = %s", (user_id,))
        return int(rows[0][0]) if rows else 0

    async def report(self, user_id: str) -> LearnerReport:
        """The learner's progress (scores, window, vocabulary) as `reports.history` reads it."""
        # load_report is synchronous: it gets a connection of its own on a worker thread,
        # so the event loop keeps serving other updates meanwhile.
        return await asyncio.to_thread(self._report, user_id)

    def _report(self, user_id: str) -> LearnerReport:
        try:
            with psycopg.connect(self._dsn, connect_timeout=self._connect_timeout_s) as connection:
                # One snapshot for all of load_report's queries: the chart's points, the
                # window and the words agree even while the sink is writing.
                connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                connection.read_only = True
                return load_report(connection, user_id)
        except psycopg.Error as exc:
            raise ReadModelError(f"read models: {exc}") from exc

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
