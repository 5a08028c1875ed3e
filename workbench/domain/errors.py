"""The errors the rules raise, in the rep's words.

`InvalidValue` carries two names for the field: `field`, the machine name that travels in JSON
answers (`--json`, push results), and `label`, the name the rep sees on screen, which is what the
message uses ("Deal value: must be above zero", never "deal_value_cents: …").
"""

from __future__ import annotations


class InvalidValue(ValueError):
    """A value a person or a peer supplied is not acceptable. Says which field and why."""

    def __init__(self, field: str, problem: str, label: str | None = None) -> None:
        self.field = field
        self.problem = problem
        self.label = label or field
        super().__init__(f"{self.label}: {problem}")



class IllegalTransition(ValueError):
    """An action that the record's current status does not allow; says what is allowed."""

    def __init__(self, message: str, *, action: str = "", current: str = "",
                 allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.action = action
        self.current = current
        self.allowed = allowed
