"""The conversion stage: check an uploaded answer and turn it into 16 kHz mono WAV with pauses.

`audio.convert` is the entry point; `dataflow.py` wires it to the topics.
"""

from flows.conversion.audio import (
    CONTAINERS,
    ConvertedAudio,
    ProbeResult,
    container_for_mime,
    convert,
    probe,
)
from flows.conversion.errors import AudioRejected, RejectionCode
from flows.conversion.limits import ConversionLimits
from flows.conversion.pauses import SpeechActivity, VadThresholds, detect_speech

__all__ = [
    "CONTAINERS",
    "AudioRejected",
    "ConversionLimits",
    "ConvertedAudio",
    "ProbeResult",
    "RejectionCode",
    "SpeechActivity",
    "VadThresholds",
    "container_for_mime",
    "convert",
    "detect_speech",
    "probe",
]
