"""Task lines (专线), their tasks and milestones. A task's status is derived (compute.task_status), never stored."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from gongqiang.core.models import Department, Region
from gongqiang.core.scope import ScopedManager, ScopedQuerySet, ScopePath, memberships_of, scope_filter


def _departments(user: Any, *, writing: bool) -> list[int]:
    return [m.department_id for m in memberships_of(user, writing=writing) if m.role == "department" and m.department_id]


class TaskScopedQuerySet(ScopedQuerySet):
    """A department reads every task of the lines it leads (the ScopePath) and, on any other line, the tasks
    it owns or co-owns, with their reports, notes, files and milestones; it writes (files reports for) those
    it owns. Nothing else of a line it does not lead. `task_path` leads from the model to its Task."""

    task_path = ""

    def _with_own_tasks(self, user: Any, *, writing: bool) -> models.QuerySet:
        q = scope_filter(self.model, user, writing=writing)
        if q is not None and not q:  # everything
            return self.all()
        departments = _departments(user, writing=writing)
        if departments:
            p = self.task_path
            own = Q(**{f"{p}owner_department__in": departments})
            if not writing:
                # A subquery, not a join: a task co-owned by two of the user's departments stays one row.
                co = Task.co_owners.through.objects.filter(department_id__in=departments).values("task_id")
                own |= Q(**{f"{p}pk__in": co})
            q = own if q is None else (q | own)
        return self.none() if q is None else self.filter(q)

    def visible_to(self, user: Any) -> models.QuerySet:
        return self._with_own_tasks(user, writing=False)

    def writable_by(self, user: Any) -> models.QuerySet:
        return self._with_own_tasks(user, writing=True)


def county_reviewer_code() -> str:
    """The department that does the first review (初审) of the county assessment sheets (the pack's
    `assessment.county_reviewer`, by default the bureau)."""
    from gongqiang.core.services.policy import active_spec

    spec = active_spec()
    return spec.assessment.county_reviewer if spec is not None and spec.assessment is not None else "gxj"


class SheetScopedQuerySet(ScopedQuerySet):
    """Besides the ScopePath (a unit its own sheet, the city all), the reviewing department's staff read and
    write the county sheets they review. `sheet_path` leads from the model to its AssessmentSheet."""

    sheet_path = ""

    def _with_reviewed(self, user: Any, *, writing: bool) -> models.QuerySet:
        q = scope_filter(self.model, user, writing=writing)
        if q is not None and not q:
            return self.all()
        reviewer = county_reviewer_code()
        if any(m.role == "department" and m.department_id and m.department.code == reviewer
               for m in memberships_of(user, writing=writing)):
            counties = Q(**{f"{self.sheet_path}region__isnull": False})
            q = counties if q is None else (q | counties)
        return self.none() if q is None else self.filter(q)

    def visible_to(self, user: Any) -> models.QuerySet:
        return self._with_reviewed(user, writing=False)

    def writable_by(self, user: Any) -> models.QuerySet:
        return self._with_reviewed(user, writing=True)


def _manager(base: type[ScopedQuerySet], **attrs: str) -> ScopedManager:
    """A ScopedManager (the security walk recognises it) over a queryset subclass with `attrs` set."""
    queryset = type(base.__name__, (base,), attrs)
    return type(base.__name__.replace("QuerySet", "Manager"), (ScopedManager,), {"_queryset_class": queryset})()


def task_manager(path: str) -> ScopedManager:
    return _manager(TaskScopedQuerySet, task_path=path)


class TaskLine(models.Model):
    """One of the ten batches, synced from the active policy pack (reference data every member reads)."""

    code = models.CharField("专线编号", max_length=20, unique=True)
    number = models.PositiveIntegerField("序号")
    name = models.CharField("名称", max_length=100)
    owner = models.ForeignKey(Department, models.PROTECT, related_name="task_lines", verbose_name="牵头部门")
    co_owners = models.ManyToManyField(Department, blank=True, related_name="co_task_lines", verbose_name="配合部门")
    summary = models.TextField("概要", blank=True)

    data_scope = ScopePath(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "专线"
        verbose_name_plural = "专线"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Task(models.Model):
    """A task under a line, owned by a department or a county (exactly one); sub-tasks one level down."""

    line = models.ForeignKey(TaskLine, models.PROTECT, related_name="tasks", verbose_name="专线")
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name="上级任务")
    code = models.CharField("任务编号", max_length=30)
    title = models.CharField("任务名称", max_length=200)
    owner_department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="tasks",
                                         verbose_name="责任部门")
    owner_region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="tasks",
                                     verbose_name="责任县区")
    co_owners = models.ManyToManyField(Department, blank=True, related_name="co_tasks", verbose_name="配合单位")
    start_date = models.DateField("开始日期")
    deadline = models.DateField("完成时限")
    deliverable = models.CharField("成果形式", max_length=200, blank=True)
    target_ids = models.JSONField("关联目标", default=list, blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True, editable=False)
    delay_reason = models.TextField("延期原因", blank=True)
    created_by_name = models.CharField("创建人", max_length=150, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # Counties see their own tasks; departments every task of the lines they lead, and elsewhere the tasks they
    # own or co-own (TaskScopedQuerySet).
    data_scope = ScopePath(region="owner_region", department="line__owner")
    objects = task_manager("")

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["line__number", "code"]
        constraints = [models.UniqueConstraint(fields=["line", "code"], name="supervision_task_code_per_line")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def owner_name(self) -> str:
        unit = self.owner_region or self.owner_department
        return unit.name if unit else ""


class Milestone(models.Model):
    task = models.ForeignKey(Task, models.CASCADE, related_name="milestones", verbose_name="任务")
    title = models.CharField("节点", max_length=200)
    due = models.DateField("节点时限")
    done_on = models.DateField("完成日期", null=True, blank=True)

    data_scope = ScopePath(region="task__owner_region", department="task__line__owner")
    objects = task_manager("task__")

    class Meta:
        verbose_name = "里程碑"
        verbose_name_plural = "里程碑"
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class DispatchReport(models.Model):
    """One task's monthly report (月调度) by its owner unit. Filed once per month; the state (on time, late,
    missing) is derived from `filed_on` and the pack's due day."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="reports", verbose_name="任务")
    year = models.PositiveIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    progress = models.TextField("本月进展")
    problems = models.TextField("存在问题", blank=True)
    help_needed = models.TextField("需协调事项", blank=True)
    next_plan = models.TextField("下月计划", blank=True)
    figures = models.JSONField("目标数据", default=dict, blank=True)  # target id → {value, observation}
    completed_on = models.DateField("任务完成日期", null=True, blank=True)
    filed_on = models.DateField("报送日期")
    filed_at = models.DateTimeField("报送时间", auto_now_add=True)
    filed_by_name = models.CharField("报送人", max_length=150)

    data_scope = ScopePath(region="task__owner_region", department="task__line__owner")
    objects = task_manager("task__")

    class Meta:
        verbose_name = "月调度报告"
        verbose_name_plural = "月调度报告"
        ordering = ["-year", "-month", "task__code"]
        constraints = [models.UniqueConstraint(fields=["task", "year", "month"], name="supervision_one_report_a_month")]

    def __str__(self) -> str:
        return f"{self.task.code} {self.year}年{self.month}月"

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"


class NoteKind(models.TextChoices):
    COMMENT = "comment", "审阅意见"
    INSTRUCTION = "instruction", "领导批示"


class ReviewNote(models.Model):
    """A city reviewer's comment or a leader's instruction (批示) on a report; an instruction needs an answer."""

    report = models.ForeignKey(DispatchReport, models.CASCADE, related_name="notes", verbose_name="报告")
    kind = models.CharField("类型", max_length=12, choices=NoteKind.choices)
    text = models.TextField("内容")
    author_name = models.CharField("填写人", max_length=150)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    answer = models.TextField("落实情况", blank=True)
    answered_by_name = models.CharField("答复人", max_length=150, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    data_scope = ScopePath(region="report__task__owner_region", department="report__task__line__owner")
    objects = task_manager("report__task__")

    class Meta:
        verbose_name = "审阅与批示"
        verbose_name_plural = "审阅与批示"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


class Notification(models.Model):
    """An in-app message to one user (reminder, chase). `key` makes a scheduled job safe to run twice."""

    recipient = models.ForeignKey("core.User", models.CASCADE, related_name="notifications", verbose_name="接收人")
    region = models.ForeignKey(Region, models.CASCADE, null=True, blank=True, verbose_name="县区")
    department = models.ForeignKey(Department, models.CASCADE, null=True, blank=True, verbose_name="部门")
    key = models.CharField("去重键", max_length=120)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    data_scope = ScopePath(region="region", department="department", departments_read_regions=False)
    objects = ScopedManager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="supervision_notification_once")]

    def __str__(self) -> str:
        return self.text


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Bulletin(models.Model):
    """A quarterly bulletin (季通报). The content is a snapshot taken when the draft is generated; the draft's
    introduction and removed items may be edited; publishing stores the Word and PDF files, never changed after."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="范围")  # the city
    year = models.PositiveIntegerField("年")
    quarter = models.PositiveSmallIntegerField("季度")
    status = models.CharField("状态", max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    intro = models.TextField("导语", blank=True)
    content = models.JSONField("内容", default=dict)
    removed = models.JSONField("删去的条目", default=list, blank=True)
    pack_version = models.CharField("政策包版本", max_length=20)
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    generated_by_name = models.CharField("生成人", max_length=150)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by_name = models.CharField("发布人", max_length=150, blank=True)
    docx = models.BinaryField("Word 文件", null=True, blank=True, editable=False)
    pdf = models.BinaryField("PDF 文件", null=True, blank=True, editable=False)

    # City-wide content (every county's figures): county users do not read it.
    data_scope = ScopePath(region="region")
    objects = ScopedManager()

    class Meta:
        verbose_name = "季通报"
        verbose_name_plural = "季通报"
        ordering = ["-year", "-quarter", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度通报"

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED


class AssessmentKind(models.TextChoices):
    HALF_YEAR = "half", "半年阶段评估"
    ANNUAL = "annual", "年度绩效评估"


class AssessmentSheet(models.Model):
    """One unit's (a county or a department) sheet for one assessment; two-level review (初审, 审定)."""

    kind = models.CharField("类型", max_length=10, choices=AssessmentKind.choices)
    year = models.PositiveIntegerField("年度")
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县区")
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="部门")
    state = models.CharField("状态", max_length=10, default="draft")
    facts = models.JSONField("计分依据", default=dict)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=20, blank=True)
    outcome = models.CharField("奖惩", max_length=100, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    pack_version = models.CharField("政策包版本", max_length=20)
    history = models.JSONField("流转记录", default=list)
    reviewed_by = models.CharField("初审人", max_length=150, blank=True)

    data_scope = ScopePath(region="region", department="department")
    objects = _manager(SheetScopedQuerySet, sheet_path="")

    class Meta:
        verbose_name = "考核表"
        verbose_name_plural = "考核表"
        ordering = ["-year", "kind", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "region"], name="supervision_sheet_per_region"),
            models.UniqueConstraint(fields=["kind", "year", "department"], name="supervision_sheet_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}：{self.unit_name}"

    @property
    def unit_name(self) -> str:
        unit = self.region or self.department
        return unit.name if unit else ""


class AssessmentScore(models.Model):
    sheet = models.ForeignKey(AssessmentSheet, models.CASCADE, related_name="scores", verbose_name="考核表")
    indicator = models.CharField("指标", max_length=30)
    name = models.CharField("名称", max_length=100)
    points = models.DecimalField("满分", max_digits=7, decimal_places=2)
    rule = models.CharField("计分方式", max_length=30)
    auto_score = models.DecimalField("自动得分", max_digits=7, decimal_places=2, null=True, blank=True)
    self_score = models.DecimalField("自评分", max_digits=7, decimal_places=2, null=True, blank=True)
    review_score = models.DecimalField("审核分", max_digits=7, decimal_places=2, null=True, blank=True)
    reason = models.TextField("理由", blank=True)

    data_scope = ScopePath(region="sheet__region", department="sheet__department")
    objects = _manager(SheetScopedQuerySet, sheet_path="sheet__")

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.name}"

    @property
    def final(self):
        for value in (self.review_score, self.self_score, self.auto_score):
            if value is not None:
                return value
        return None


class MeetingKind(models.TextChoices):
    STUDY = "study", "专题研究"
    FIELD = "field", "调研"


class IndustryMeeting(models.Model):
    """A county leadership's special meeting or field study on industry (the policy asks for a minimum a month)."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="县区")
    held_on = models.DateField("日期")
    kind = models.CharField("形式", max_length=10, choices=MeetingKind.choices)
    title = models.CharField("主题", max_length=200)
    leader = models.CharField("主持/带队领导", max_length=60)
    notes = models.TextField("主要内容", blank=True)
    created_by_name = models.CharField("填报人", max_length=150, blank=True)

    data_scope = ScopePath(region="region")
    objects = ScopedManager()

    class Meta:
        verbose_name = "工业专题研究与调研"
        verbose_name_plural = "工业专题研究与调研"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "已发布"


class TypicalCase(models.Model):
    """一县一经验: a county's case on a line; the city reviews and publishes it."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="县区")
    line = models.ForeignKey(TaskLine, models.PROTECT, related_name="cases", verbose_name="专线")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("经验做法")
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    created_by_name = models.CharField("填报人", max_length=150, blank=True)
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    data_scope = ScopePath(region="region")
    objects = ScopedManager()

    class Meta:
        verbose_name = "典型经验"
        verbose_name_plural = "典型经验"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ReportAttachment(models.Model):
    report = models.ForeignKey(DispatchReport, models.CASCADE, related_name="attachments", verbose_name="报告")
    file = models.FileField("文件", upload_to="supervision/attachments/%Y/%m/", max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")

    data_scope = ScopePath(region="report__task__owner_region", department="report__task__line__owner")
    objects = task_manager("report__task__")

    class Meta:
        verbose_name = "报告附件"
        verbose_name_plural = "报告附件"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
