"""The security walk again, with supervision rows in the world (tasks, reports, 批示, notifications, a
bulletin, assessment sheets): own rows open, foreign ones 404, and no page changes when everything outside
兰山区 is deleted. Only this app's URLs: the full walk in tests/security covers the others."""

import inspect
from datetime import date

import pytest

import tests.security.test_scope_walk as walk_module
from gongqiang.testing.urlwalk import all_routes

pytestmark = pytest.mark.django_db

# The walk's own fixtures (e.g. rows of other apps) become available here too.
globals().update({name: value for name, value in vars(walk_module).items()
                  if type(value).__name__ == "FixtureFunctionDefinition"})


def test_county_walk_with_supervision_rows(client, personas, world, tasks, monkeypatch, request, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongqiang.supervision.services.assessments import create_sheets
    from gongqiang.supervision.services.bulletins import generate, publish
    from gongqiang.supervision.services.dispatch import add_note, file_report
    from gongqiang.supervision.services.reminders import remind

    data = {"progress": "推进中", "delay_reason": "用地未落实"}
    settings.MEDIA_ROOT = tmp_path

    def pdf():
        return [SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 x")]

    mine = file_report(personas.county_a, tasks["lanshan"], 2024, 3, data, {}, date(2024, 4, 3), attachments=pdf())
    theirs = file_report(personas.county_b, tasks["luozhuang"], 2024, 3, data, {}, date(2024, 4, 3), attachments=pdf())
    add_note(personas.leader, mine, "instruction", "抓紧")
    add_note(personas.leader, theirs, "instruction", "罗庄抓紧")
    remind(date(2024, 5, 2))
    publish(personas.city, generate(personas.city, 2024, 1, date(2024, 4, 20)))  # city-wide: a county gets 404
    create_sheets(personas.city, "half", 2024, date(2024, 7, 20))
    from gongqiang.supervision.models import IndustryMeeting, TypicalCase

    for unit, title in ((tasks["lanshan"].owner_region, "兰山专题研究"), (tasks["luozhuang"].owner_region, "罗庄专题研究")):
        IndustryMeeting.objects.create(region=unit, held_on=date(2024, 5, 3), kind="study", title=title, leader="书记")
        TypicalCase.objects.create(region=unit, line=tasks["lanshan"].line, title=title + "经验", text="做法")

    monkeypatch.setattr(walk_module, "all_routes",
                        lambda: [r for r in all_routes() if r.template.startswith("supervision/")])
    walk = walk_module.test_county_user_walks_every_url
    given = {"client": client, "personas": personas, "world": world}
    walk(**{name: given.get(name) or request.getfixturevalue(name) for name in inspect.signature(walk).parameters})
