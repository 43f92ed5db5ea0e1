"""The list of findings one verdict collects, and the status they add up to."""

from __future__ import annotations

_SEVERITY_RANK = {"info": 0, "warn": 1, "fail": 2}


class _Findings:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, severity: str, code: str, message: str) -> None:
        self.items.append({"severity": severity, "code": code, "message": message})

    def fail(self, code: str, message: str) -> None:
        self.add("fail", code, message)

    def warn(self, code: str, message: str) -> None:
        self.add("warn", code, message)

    def info(self, code: str, message: str) -> None:
        self.add("info", code, message)

    def status(self) -> str:
        worst = max((_SEVERITY_RANK[f["severity"]] for f in self.items), default=0)
        return {2: "fail", 1: "warn", 0: "pass"}[worst]
