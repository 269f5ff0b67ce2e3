"""The menu, by area. An entry shows only when its URL exists and the user's roles may use it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .scope import memberships_of


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: every role


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    icon: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)


ADMIN_ROLES = frozenset({"admin"})
STAFF_ROLES = frozenset({"admin", "city", "leader", "department", "county"})

AREAS: tuple[Area, ...] = (
    Area("registry", "企业库", "building", (
        Entry("企业名录", "enterprises:list"),
        Entry("数据导入", "enterprises:imports", STAFF_ROLES),
        Entry("数据核对", "enterprises:reconciliation", STAFF_ROLES),
    )),
    Area("evaluation", "亩产效益评价", "bar-chart", (
        Entry("评价批次", "evaluation:runs", STAFF_ROLES),
        Entry("评价结果", "evaluation:results", STAFF_ROLES),
        Entry("评价方法", "evaluation:methods", STAFF_ROLES),
        Entry("调档与异议", "evaluation:cases", STAFF_ROLES),
        Entry("本企业评价", "evaluation:mine", frozenset({"enterprise"})),
        Entry("低效企业清单", "evaluation:lists", STAFF_ROLES),
        Entry("加减分及否决事项", "evaluation:items", STAFF_ROLES),
    )),
    Area("targets", "目标与驾驶舱", "speedometer", (
        Entry("驾驶舱", "targets:cockpit", STAFF_ROLES),
        Entry("县区排名", "targets:ranking", STAFF_ROLES),
        Entry("目标数据导入", "targets:import", frozenset({"admin", "city", "department", "county"})),
        Entry("政策目标", "core:policy-targets"),
    )),
    Area("supervision", "督导考核", "clipboard-check", (
        Entry("十大专线", "core:policy-task-lines"),
        Entry("专线任务", "supervision:lines", STAFF_ROLES),
        Entry("任务清单", "supervision:tasks", STAFF_ROLES),
        Entry("任务导入", "supervision:tasks-import", frozenset({"admin", "city", "department", "county"})),
        Entry("月调度", "supervision:dispatch", STAFF_ROLES),
        Entry("季通报", "supervision:bulletins", frozenset({"admin", "city", "leader", "department"})),
        Entry("考核评估", "supervision:assessments", STAFF_ROLES),
        Entry("工业专题研究", "supervision:meetings", STAFF_ROLES),
        Entry("典型经验", "supervision:cases", STAFF_ROLES),
        Entry("我的通知", "supervision:notifications", STAFF_ROLES),
    )),
    Area("libraries", "专项库", "collection", ()),
    Area("services", "企业服务", "chat", ()),
    Area("admin", "系统管理", "gear", (
        Entry("政策包", "core:policy-packs"),
        Entry("区域与部门", "core:organisation"),
        Entry("用户与授权", "core:users", ADMIN_ROLES),
        Entry("变更记录", "core:audit-changes", ADMIN_ROLES),
        Entry("登录记录", "core:audit-logins", ADMIN_ROLES),
        Entry("API 令牌", "core:api-tokens"),
    )),
)


def roles_of(user) -> set[str]:
    roles = {m.role for m in memberships_of(user)}
    if getattr(user, "is_superuser", False):
        roles.add("admin")
    return roles


def menu_for(request: HttpRequest) -> list[dict]:
    roles = roles_of(request.user)
    if not roles:
        return []
    path = request.path
    menu = []
    for area in AREAS:
        entries = []
        for entry in area.entries:
            if entry.roles is not None and not (roles & entry.roles):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            entries.append({"label": entry.label, "url": url, "active": False})
        if entries:
            menu.append({"key": area.key, "label": area.label, "icon": area.icon, "entries": entries, "active": False})
    # Only the entry with the longest URL that prefixes the path is current (数据核对, not also 企业名录).
    matches = [(len(e["url"]), e, a) for a in menu for e in a["entries"] if path.startswith(e["url"])]
    if matches:
        _, entry, area = max(matches, key=lambda m: m[0])
        entry["active"] = area["active"] = True
    return menu
