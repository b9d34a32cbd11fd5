"""Collecting facts: what the interpreter showed, checked against a claim."""

from __future__ import annotations

from typing import Any


class Facts:
    """An ordered list of facts, each ``{claim, check, observed, holds}``."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, claim: str, check: str, observed: object, holds: bool) -> None:
        """Records that doing ``check`` showed ``observed``; ``holds`` says if ``claim`` agrees."""
        text = observed if isinstance(observed, str) else repr(observed)
        self.items.append({"claim": claim, "check": check, "observed": text, "holds": bool(holds)})

    def raised(self, func: Any) -> str:
        """Runs ``func``; returns "Type: message" of what it raised, or "no error"."""
        try:
            func()
        except Exception as exc:  # noqa: BLE001 - the exception is the observation
            return f"{type(exc).__name__}: {exc}"
        return "no error"
