"""Reports of a validation run: text, JSON, HTML, annotated copies, the tracking summary."""
