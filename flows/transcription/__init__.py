"""Transcription: turn a converted answer (16 kHz mono WAV) into words with timings."""
