"""`gongqiang demo_supervision`: every page has something to show."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongqiang.supervision.models import AssessmentSheet, Bulletin, DispatchReport, Task

pytestmark = pytest.mark.django_db


def test_demo_fills_every_page(linyi, personas, login, capsys):
    call_command("demo_supervision", "--year", "2024")
    assert "督导演示数据" in capsys.readouterr().out
    assert Task.objects.count() == 10 * 16
    assert DispatchReport.objects.count() > 500
    assert Bulletin.objects.filter(status="published").count() == 1 and Bulletin.objects.count() == 2
    assert AssessmentSheet.objects.filter(state="approved", rank=1).exists()
    client = login(personas.city)
    for url in ("/supervision/lines/", "/supervision/tasks/", "/supervision/dispatch/?month=2024-05",
                "/supervision/bulletins/", "/supervision/assessments/"):
        response = client.get(url)
        assert response.status_code == 200, url
    with pytest.raises(CommandError, match="已存在"):
        call_command("demo_supervision", "--year", "2024")
