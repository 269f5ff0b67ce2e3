"""`gongqiang remind [--today YYYY-MM-DD]`: dispatch reminders and chases, 批示 awaiting an answer, the quarterly
bulletin's due day; cron or Celery beat runs it daily."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongqiang.supervision.services.reminders import remind


class Command(BaseCommand):
    help = "发送月调度报送提醒（截止前）和催报（逾期后）、领导批示待答复提醒、季度通报印发提醒；可重复运行，已发送的不再发送。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="按指定日期运行（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"日期“{options['today']}”格式不正确，应为 YYYY-MM-DD") from None
        self.stdout.write(remind(today).describe())
