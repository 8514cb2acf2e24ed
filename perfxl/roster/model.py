"""The finance office's roster: departments and their projects, with issued budget figures."""

from __future__ import annotations

from dataclasses import dataclass

# Roster column headers (the labels finance offices export), by field.
DEPARTMENT_COLUMNS = {
    "code": "部门编码",
    "name": "部门名称",
    "basic_initial": "基本支出年初预算数",
    "basic_budget": "基本支出全年预算数",
}
PROJECT_COLUMNS = {
    "department_code": "部门编码",
    "code": "项目编码",
    "name": "项目名称",
    "supervisor": "主管部门",
    "implementer": "实施单位",
    "fiscal_initial": "财政拨款年初预算数",
    "fiscal_budget": "财政拨款全年预算数",
    "carryover_initial": "上年结转年初预算数",
    "carryover_budget": "上年结转全年预算数",
    "other_initial": "其他资金年初预算数",
    "other_budget": "其他资金全年预算数",
    "goal": "预期目标",
}
OPTIONAL_PROJECT_COLUMNS = {"goal"}
DEPARTMENT_SHEET = "部门"
PROJECT_SHEET = "项目"


@dataclass(frozen=True)
class Project:
    department_code: str
    code: str
    name: str
    supervisor: str
    implementer: str
    fiscal_initial: float
    fiscal_budget: float
    carryover_initial: float
    carryover_budget: float
    other_initial: float
    other_budget: float
    goal: str = ""

    @property
    def funds(self) -> tuple[tuple[float, float], ...]:
        """(年初预算数, 全年预算数) of 当年财政拨款, 上年结转资金, 其他资金, in form order."""
        return (
            (self.fiscal_initial, self.fiscal_budget),
            (self.carryover_initial, self.carryover_budget),
            (self.other_initial, self.other_budget),
        )


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    basic_initial: float
    basic_budget: float
    projects: tuple[Project, ...] = ()


@dataclass(frozen=True)
class Roster:
    departments: tuple[Department, ...]
    sources: tuple[str, ...] = ()

    def department(self, code: str) -> Department | None:
        for dept in self.departments:
            if dept.code == code:
                return dept
        return None
