"""`speech-coach faults`: SIGKILL each flow, the broker and Kafka Connect while answers are
in flight, then count per answer what every topic and store holds (cli/faults_count.py).

The run uses a stack of its own, brought up as production runs it (`stack up --apps`: each
flow supervised and restarted when it dies, the JDBC sink into Postgres, the analytics flow
into ClickHouse), so the kills exercise the real wiring and disturb no one else's stack.

1. A warm-up answer goes through the loop (models loaded, consumer groups joined).
2. `answers` synthetic voice answers from `learners` learners, to questions from the bank,
   go through `practice`'s path, one every `every_s` seconds.
3. Spread over the submissions, each component is killed in turn, right after the event
   that puts an answer in its hands (an answer accepted, or graded for the flows working
   on feedback): SIGKILL to its process group (supervisord starts each process in a group
   of its own, so ffmpeg children die too, as a container's processes do). The next kill
   waits until the last component is back (supervisord restarted it) and ready (`readiness`)
   and `pause_s` has passed.
4. The pipeline settles: topics and stores are read until every count is right or
   `settle_s` has passed, and the last counts are the result.
"""

from __future__ import annotations

import math
import os
import signal
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from cli.bench_crowd import Outcomes, Planned, submit_planned, voice_notes
from cli.faults_count import Assessment, Places, assess, observe
from cli.practice import submit_and_wait
from clients.connect import ConnectError, connector_status
from clients.settings import ClickHouseConnection, KafkaConnection, S3Connection
from flows.readmodels.connector import sink_name
from flows.registry import FLOWS
from questionbank.connector import source_name
from questionbank.seed import read_seed
from schemas.events import AnswerSubmitted
from stack.services import all_services
from stack.services.apps import INFRASTRUCTURE, flow_services
from stack.services.base import Service, ServiceUnhealthy
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.supervisor import Supervisor

Report = Callable[[str], None]

# Killed besides the flows; the other services (Postgres, ClickHouse, S3) stay up.
KILLED_SERVICES = ("kafka", "connect")
# Flows reading what transcription and grading produce: each is killed right after an
# answer's feedback arrived, when that answer's transcript and feedback are in their hands;
# the other components (Connect's sink too, which the read models reach seconds later)
# right after an answer was accepted.
AFTER_GRADING = ("readmodels", "scoring", "words", "analytics", "retention")
# Questions the answers go to, so rm_answered counts several answers per learner each.
QUESTIONS = 3


class FaultRunError(RuntimeError):
    """The run could not be carried out (not: it found a fault)."""


@dataclass(frozen=True)
class FaultPlan:
    answers: int = 40
    learners: int = 5
    every_s: float = 10.0  # 40 answers span the kills here (about 7 minutes)
    pause_s: float = 3.0
    recover_s: float = 180.0  # bound on each component coming back
    settle_s: float = 300.0  # bound on the counts becoming right after the last submission
    components: tuple[str, ...] = ()  # () = every flow process, the broker and Connect


@dataclass(frozen=True)
class Kill:
    component: str
    at_s: float  # from the first submission
    after: str  # the event it was killed right after
    ungraded: int  # answers accepted whose feedback (or rejection) had not arrived
    back_s: float | None  # until supervisord had it RUNNING again; None: not within the bound
    ready_s: float | None  # until it was ready again (`readiness`)


@dataclass(frozen=True)
class FaultsResult:
    assessment: Assessment
    kills: tuple[Kill, ...]
    latencies_s: tuple[float, ...]  # accepted → outcome seen, per accepted answer with one
    submitting_s: float  # from the first submission to the last
    killing_s: float  # from the first submission to the last kill over, answers all sent
    settling_s: float  # from then to the counts right (or the bound)

    @property
    def problems(self) -> tuple[str, ...]:
        stuck = tuple(f"{k.component} not ready again" for k in self.kills if k.ready_s is None)
        return (*self.assessment.problems, *stuck)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def latency_p50_s(self) -> float:
        return statistics.median(self.latencies_s) if self.latencies_s else 0.0

    @property
    def latency_max_s(self) -> float:
        return max(self.latencies_s, default=0.0)


def kill_order(settings: StackSettings) -> tuple[str, ...]:
    """Every flow process in pipeline order, the broker in the middle (the flows after it
    resume against a restarted broker) and Connect last (its sink then catches up)."""
    apps = [s.name for s in all_services(settings) if s.name not in INFRASTRUCTURE]
    apps = [name for name in apps if name.startswith("flow-")]  # not the bot
    middle = len(apps) // 2
    return (*apps[:middle], KILLED_SERVICES[0], *apps[middle:], KILLED_SERVICES[1])


def kills_due(answers: int, kills: int) -> tuple[int, ...]:
    """After how many accepted answers each kill is due: spread evenly over the submissions."""
    return tuple(math.ceil((index + 1) * answers / (kills + 1)) for index in range(kills))


def kill_process_group(supervisor: Supervisor, name: str) -> int:
    """SIGKILLs the process group of a supervised process; the pid it had."""
    running = {p.name: p for p in supervisor.processes() if p.state == "RUNNING" and p.pid}
    if name not in running:
        raise FaultRunError(f"{name} is not RUNNING under this stack's supervisord")
    pid = running[name].pid
    # supervisord makes each child a process group leader; anything else is not ours to kill.
    if os.getpgid(pid) != pid:
        raise FaultRunError(f"{name} (pid {pid}) does not lead a process group of its own")
    os.killpg(pid, signal.SIGKILL)
    return pid


def wait_restarted(supervisor: Supervisor, name: str, old_pid: int, timeout_s: float) -> bool:
    """Until supervisord has the process RUNNING again under a new pid (False: not in time)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(
            p.name == name and p.state == "RUNNING" and p.pid != old_pid
            for p in supervisor.processes()
        ):
            return True
        time.sleep(0.2)
    return False


def wait_ready(probe: Callable[[], None], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            probe()
        except ServiceUnhealthy:
            time.sleep(0.5)
        else:
            return True
    return False


@dataclass(frozen=True)
class Group:
    """A consumer group a component reads through, and how many members it has when whole."""

    name: str
    members: int


def flow_of(settings: StackSettings, component: str) -> str | None:
    """The flow a supervised process runs (flow-feedback-1: feedback); None for a service."""
    for flow in FLOWS:
        if component in {s.name for s in flow_services(settings, flow)}:
            return flow
    return None


def consumer_group(settings: StackSettings, component: str) -> Group | None:
    """The group whose partitions wait for a killed component: a Quix flow's (its processes
    share it), Connect's sink's (one member per task). Bytewax flows assign partitions
    themselves and resume from their snapshots: none."""
    if component == "connect":
        # Connect names a sink's group connect-<connector>; the sink runs one task.
        return Group(f"connect-{sink_name()}", 1)
    flow = flow_of(settings, component)
    if flow is not None and FLOWS[flow] == "quix":
        return Group(f"speech-coach-{flow}", settings.app_scale.get(flow, 1))
    return None


def group_members(admin: AdminClient, group: str) -> tuple[str, frozenset[str]]:
    """The group's state name and member ids."""
    [described] = admin.describe_consumer_groups([group], request_timeout=10).values()
    found = described.result()
    return found.state.name, frozenset(m.member_id for m in found.members)


def readiness(
    settings: StackSettings, service: Service, group: Group | None, before: frozenset[str]
) -> Callable[[], None]:
    """The service's own health probe, then (Connect) its connectors and their tasks RUNNING,
    then its consumer group STABLE again with a new member in the killed one's place: until
    the group rebalances, the partitions the killed process had are read by no one."""

    def ready() -> None:
        service.probe()
        if service.name == "connect":
            for name in (source_name(), sink_name()):
                try:
                    status = connector_status(settings.connect_url, name)
                except (ConnectError, OSError) as exc:
                    raise ServiceUnhealthy(f"connector {name}: {exc}") from exc
                if status is None or not status.running:
                    raise ServiceUnhealthy(f"connector {name}: {status and status.describe()}")
        if group is not None:
            try:
                state, members = group_members(admin(settings), group.name)
            except KafkaException as exc:
                raise ServiceUnhealthy(f"group {group.name}: {exc}") from exc
            if state != "STABLE" or len(members) != group.members or not members - before:
                raise ServiceUnhealthy(f"group {group.name}: {state}, {len(members)} members")

    return ready


def places(settings: StackSettings) -> Places:
    return Places(
        kafka=KafkaConnection(bootstrap_servers=settings.bootstrap_servers, client_id="faults"),
        namespace="",  # the stack's flows and connectors serve the default namespace
        postgres_dsn=settings.postgres_dsn,
        clickhouse=ClickHouseConnection(host=settings.host, port=settings.ports.clickhouse_tcp),
        s3=S3Connection(
            endpoint=settings.s3_endpoint, access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key, bucket=settings.s3_bucket,
        ),
    )  # fmt: skip


class _Submissions:
    """What the submitting thread has done so far; read by the killing one."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.accepted: dict[str, float] = {}  # answer id → when (time.time())
        self.refused = 0
        self.done = False
        self.finished_at = 0.0  # time.time() of the last submission

    def accept(self, answer: AnswerSubmitted) -> None:
        self.accepted[answer.answer_id] = time.time()

    def refuse(self, planned: Planned, error: Exception) -> None:
        self.refused += 1
        self.report(f"practice gave up on an answer of {planned.user_id}: {error}")

    def finish(self) -> None:
        self.finished_at = time.time()
        self.done = True


def _wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run(settings: StackSettings, plan: FaultPlan, report: Report) -> FaultsResult:
    """Runs the plan on the (running) stack `settings` describes."""
    killable = kill_order(settings)
    order = plan.components or killable
    unknown = [name for name in order if name not in killable]
    if unknown:
        raise FaultRunError(f"cannot kill {', '.join(unknown)}; components: {', '.join(killable)}")
    where = places(settings)
    run_id = uuid.uuid4().hex[:6]
    learners = [f"faults-{run_id}-{index}" for index in range(plan.learners)]
    questions = [q.question_id for q in read_seed()[:QUESTIONS]]
    schedule = [
        Planned(i * plan.every_s, learners[i % len(learners)], questions[i % len(questions)])
        for i in range(plan.answers)
    ]
    notes = voice_notes(Path(tempfile.mkdtemp(prefix="faults-")))

    report("warm-up: one answer through the loop")
    submit_and_wait(
        notes[0], kafka=where.kafka, s3=where.s3, namespace=where.namespace,
        user_id=f"faults-{run_id}-warm-up", question_id=None, timeout_s=300,
        progress=lambda _: None,
    )  # fmt: skip

    outcomes = Outcomes(where.kafka, where.namespace, clock=time.time)
    watching = threading.Event()
    watcher = threading.Thread(target=_watch, args=(outcomes, watching))
    submissions = _Submissions(report)

    def submitting() -> None:
        try:
            submit_planned(
                notes, schedule, kafka=where.kafka, s3=where.s3, namespace=where.namespace,
                accepted=submissions.accept, refused=submissions.refuse,
            )  # fmt: skip
        finally:
            submissions.finish()

    submitter = threading.Thread(target=submitting)
    report(
        f"{plan.answers} answers from {plan.learners} learners, one every {plan.every_s:g} s; "
        f"killing {', '.join(order)}"
    )
    watching.set()
    watcher.start()
    killer = _Killer(settings, plan, submissions, outcomes, report)
    submitter.start()
    try:
        kills = tuple(
            killer.kill(name, due)
            for name, due in zip(order, kills_due(plan.answers, len(order)), strict=True)
        )
        submitter.join()
        killed = time.time()
        report("settling: reading every topic and store until the counts are right")
        assessment = _settle(where, set(learners), plan, submissions, report)
    finally:
        watching.clear()
        submitter.join()
        watcher.join()
        outcomes.close()
    arrived = outcomes.arrived
    latencies = tuple(arrived[a][0] - at for a, at in submissions.accepted.items() if a in arrived)
    return FaultsResult(
        assessment, kills, latencies, submissions.finished_at - killer.started,
        killed - killer.started, time.time() - killed,
    )  # fmt: skip


def _watch(outcomes: Outcomes, watching: threading.Event) -> None:
    # The consumer is used by this thread only.
    while watching.is_set():
        outcomes.poll(0.2)


class _Killer:
    """Kills components one at a time, each once its turn has come in the submissions and
    right after the event that puts an answer in its hands."""

    def __init__(
        self, settings: StackSettings, plan: FaultPlan, submissions: _Submissions,
        outcomes: Outcomes, report: Report,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.plan = plan
        self.submissions = submissions
        self.outcomes = outcomes
        self.report = report
        self.services = {s.name: s for s in all_services(settings)}
        self.supervisor = Supervisor(settings)
        self.started = time.time()
        # practice waits up to 3 x 30 s for one answer while the broker is away.
        self.event_s = 3 * plan.every_s + 90

    def kill(self, name: str, due: int) -> Kill:
        submissions = self.submissions
        _wait_until(
            lambda: submissions.done or len(submissions.accepted) >= due,
            self.plan.answers * self.plan.every_s + self.event_s,
        )
        after = self._trigger(name)
        ungraded = sum(1 for a in list(submissions.accepted) if a not in self.outcomes.arrived)
        group = consumer_group(self.settings, name)
        before = group_members(admin(self.settings), group.name)[1] if group else frozenset()
        killed_at = time.time()
        old_pid = kill_process_group(self.supervisor, name)
        bound = self.plan.recover_s
        back = wait_restarted(self.supervisor, name, old_pid, bound)
        back_s = time.time() - killed_at if back else None
        remaining = max(0.0, bound - (time.time() - killed_at))
        probe = readiness(self.settings, self.services[name], group, before)
        ready_s = time.time() - killed_at if back and wait_ready(probe, remaining) else None
        kill = Kill(name, killed_at - self.started, after, ungraded, back_s, ready_s)
        self.report(
            f"t+{kill.at_s:6.1f}s killed {name} after {after} ({ungraded} answers ungraded): "
            + (f"back in {back_s:.1f} s, ready in {ready_s:.1f} s" if ready_s is not None
               else f"NOT ready within {bound:.0f} s")
        )  # fmt: skip
        time.sleep(self.plan.pause_s)
        return kill

    def _trigger(self, name: str) -> str:
        """Waits (bounded) for the event after which `name` is killed; which one came."""
        submissions, arrived = self.submissions, self.outcomes.arrived
        after_grading = flow_of(self.settings, name) in AFTER_GRADING

        def count() -> int:
            return len(arrived) if after_grading else len(submissions.accepted)

        def over() -> bool:  # no such event is coming
            graded_all = set(submissions.accepted) <= set(arrived)
            return submissions.done and (graded_all or not after_grading)

        before = count()
        _wait_until(lambda: count() > before or over(), self.event_s)
        if count() == before:
            return "no answer came"
        return "an answer was graded" if after_grading else "an answer was accepted"


def _settle(
    where: Places, learners: set[str], plan: FaultPlan, submissions: _Submissions,
    report: Report,
) -> Assessment:  # fmt: skip
    deadline = time.monotonic() + plan.settle_s
    while True:
        assessment = assess(
            plan.answers, set(submissions.accepted), submissions.refused,
            observe(where, learners),
        )  # fmt: skip
        if not assessment.problems or time.monotonic() > deadline:
            return assessment
        report(f"  not yet: {'; '.join(assessment.problems)}")
        time.sleep(10)
