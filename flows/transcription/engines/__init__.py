"""Speech recognisers behind one protocol (`base.SpeechRecognizer`)."""
