"""Exceptions that know their exit code and how to show themselves (as click's do)."""

from __future__ import annotations

from .i18n import Message


class PerfxlError(Exception):
    """A problem the user can fix; shown without a traceback, exit code 2."""

    exit_code = 2
    header_key: str | None = None

    def __init__(self, messages: list[Message] | Message):
        self.messages = [messages] if isinstance(messages, Message) else list(messages)
        super().__init__(self.render("en"))

    def render(self, lang: str = "zh") -> str:
        lines = [m.render(lang) for m in self.messages]
        if self.header_key and len(lines) > 1:
            header = Message(self.header_key).render(lang)
            return "\n".join([header] + ["  - " + line for line in lines])
        return "\n".join(lines)

    def __reduce__(self) -> tuple:
        """Pickled whole (a worker's error reaches the parent): messages and any attributes."""
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(cls: type[PerfxlError], args: tuple, state: dict) -> PerfxlError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class SchemeError(PerfxlError):
    """A scheme file that cannot be used; names the file, the key and the problem."""

    header_key = "scheme.header"


class RosterError(PerfxlError):
    """A roster that cannot be used; names file, sheet, row and column of each problem."""

    header_key = "roster.header"


class OutputError(PerfxlError):
    """An output that cannot be written (exists without --force, unwritable folder)."""

    header_key = "output.header"
