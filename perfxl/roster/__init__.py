"""The finance office's roster: departments, projects and their issued budget figures."""

from .model import Department, Project, Roster
from .reader import read_roster

__all__ = ["Department", "Project", "Roster", "read_roster"]
