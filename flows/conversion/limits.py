"""Conversion limits, and running ffmpeg/ffprobe so that a hostile file cannot exceed them.

Every child runs under `prlimit` (util-linux, Essential on Debian) rather than a
`preexec_fn`: the limits are set between fork and exec without running Python in the
child, which is unsafe when the flow has threads. Wall time is bounded here, and so is the
child's output, which is read with a byte budget: a decoder whose input lies about its length
is stopped at the cap whatever its timestamps say.
"""

from __future__ import annotations

import os
import resource
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024

# ffmpeg's loader and allocator say these when the address-space limit bites.
_MEMORY_ERRORS = ("Cannot allocate memory", "failed to map segment")
_STDERR_TAIL_CHARS = 2000
_READ_CHUNK = 1 << 16


class ConversionLimits(BaseModel):
    """Bounds on what one answer may cost; nest it in the flow's settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Telegram's Bot API lets bots download files of at most 20 MB.
    max_bytes: int = Field(default=20 * MIB, gt=0)
    max_duration_s: float = Field(default=300.0, gt=0)
    # Decoding stops this far past max_duration_s; reaching that point means the file is
    # longer than everything before the decode said.
    decode_margin_s: float = Field(default=1.0, gt=0)
    min_duration_s: float = Field(default=0.3, ge=0)
    # Durations agree when within duration_tolerance_s or duration_tolerance_ratio of the
    # reference (the declared duration when there is one), whichever is larger.
    duration_tolerance_s: float = Field(default=2.0, ge=0)
    duration_tolerance_ratio: float = Field(default=0.10, ge=0)
    probe_timeout_s: float = Field(default=5.0, gt=0)
    convert_timeout_s: float = Field(default=30.0, gt=0)
    # Decoding 300 s of Opus takes about 0.3 s of CPU here.
    cpu_seconds: int = Field(default=20, gt=0)
    # Debian's ffmpeg maps ~270 MiB of shared libraries before it reads a byte; its heap
    # while decoding a voice note stays under 60 MiB resident.
    memory_bytes: int = Field(default=512 * MIB, gt=0)

    @property
    def decode_cap_s(self) -> float:
        return self.max_duration_s + self.decode_margin_s

    def durations_agree(self, reference_s: float, measured_s: float) -> bool:
        tolerance = max(self.duration_tolerance_s, self.duration_tolerance_ratio * reference_s)
        return abs(reference_s - measured_s) <= tolerance


@dataclass(frozen=True)
class ProcessRun:
    """What a limited child did; `stdout` holds at most the budget it was given, and
    `output_capped` says the child reached that budget."""

    returncode: int
    stdout: bytes
    stderr_tail: str
    timed_out: bool
    output_capped: bool
    cpu_s: float
    peak_rss_bytes: int
    cpu_exhausted: bool

    @property
    def memory_exhausted(self) -> bool:
        return any(marker in self.stderr_tail for marker in _MEMORY_ERRORS)


def run_limited(
    argv: Sequence[str], limits: ConversionLimits, *, timeout_s: float, max_stdout_bytes: int
) -> ProcessRun:
    """Run argv under the CPU and address-space limits, killing it at the deadline or once
    its output reaches max_stdout_bytes (anything past the budget is discarded)."""
    command = [
        "prlimit",
        f"--as={limits.memory_bytes}",
        # Soft = hard: the kernel sends SIGKILL, which ffmpeg cannot catch (it exits quietly
        # on SIGXCPU), so a SIGKILL we did not send means the CPU allowance ran out.
        f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds}",
        "--",
        *argv,
    ]
    deadline = time.monotonic() + timeout_s
    stdout = bytearray()
    stderr = bytearray()
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        stopped = True  # until the drain returns normally: never leave the child behind
        peak = _PeakMemory(proc.pid)
        try:
            stopped = _drain(proc, deadline, stdout, stderr, max_stdout_bytes, peak)
        finally:
            # A child stopped early is killed at once: it may be blocked on a full pipe.
            status, usage, reap_timed_out = _reap(proc, deadline, kill_now=stopped)
            proc.returncode = os.waitstatus_to_exitcode(status)
    capped = len(stdout) >= max_stdout_bytes
    killed_by_us = stopped or reap_timed_out
    return ProcessRun(
        returncode=proc.returncode,
        stdout=bytes(stdout),
        stderr_tail=stderr[-_STDERR_TAIL_CHARS:].decode("utf-8", "replace"),
        timed_out=reap_timed_out or (stopped and not capped),
        output_capped=capped,
        cpu_s=usage.ru_utime + usage.ru_stime,
        # wait4's ru_maxrss would include the forking parent's size: it survives exec.
        peak_rss_bytes=peak.bytes,
        cpu_exhausted=proc.returncode == -signal.SIGKILL and not killed_by_us,
    )


def _drain(  # noqa: PLR0917 - private, called once
    proc: subprocess.Popen[bytes],
    deadline: float,
    stdout: bytearray,
    stderr: bytearray,
    max_stdout_bytes: int,
    peak: _PeakMemory,
) -> bool:
    """Read both pipes to their end; True when stopped early by the deadline or the budget."""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, stdout)  # type: ignore[arg-type]
        selector.register(proc.stderr, selectors.EVENT_READ, stderr)  # type: ignore[arg-type]
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, _READ_CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                peak.sample()  # output means the program runs: past exec, its own memory
                sink: bytearray = key.data
                sink += chunk
                if sink is stdout and len(stdout) >= max_stdout_bytes:
                    del stdout[max_stdout_bytes:]
                    return True
                if sink is stderr and len(stderr) > 2 * _STDERR_TAIL_CHARS:
                    del stderr[:-_STDERR_TAIL_CHARS]
    return False


class _PeakMemory:
    """The child's resident high-water mark (VmHWM), sampled while it writes output."""

    def __init__(self, pid: int) -> None:
        self._status = f"/proc/{pid}/status"
        self.bytes = 0

    def sample(self) -> None:
        try:
            with open(self._status, encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self.bytes = max(self.bytes, int(line.split()[1]) * 1024)
                        return
        except (OSError, ValueError):
            return  # exited between reads: the last sample stands


def _kill(proc: subprocess.Popen[bytes]) -> None:
    # Not Popen.kill: it polls first, and a poll that reaps the child loses its rusage.
    os.kill(proc.pid, signal.SIGKILL)


def _reap(
    proc: subprocess.Popen[bytes], deadline: float, *, kill_now: bool
) -> tuple[int, resource.struct_rusage, bool]:
    """Wait for the child until the deadline, then kill it; wait4 also gives its rusage.

    The third value says whether the deadline passed while waiting."""
    if kill_now:
        _kill(proc)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage, False
        if time.monotonic() >= deadline:
            _kill(proc)
            _, status, usage = os.wait4(proc.pid, 0)
            return status, usage, True
        time.sleep(0.005)
