"""A round: the office's season in one folder (see season.Round)."""
