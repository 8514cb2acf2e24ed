"""The round: every department's latest submission, and the office's consolidated result."""
