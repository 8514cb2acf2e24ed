"""The finance office's roster: departments, projects and their issued budget figures."""

from .model import Department, Project, Roster
from .reader import read_roster
from .store import RosterStore, load_into, open_roster

__all__ = ["Department", "Project", "Roster", "RosterStore", "load_into", "open_roster", "read_roster"]
