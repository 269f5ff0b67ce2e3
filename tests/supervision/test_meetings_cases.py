"""County industry meetings (count per month against the pack's minimum) and typical cases (review, publish)."""


import pytest

from gongqiang.supervision.models import IndustryMeeting, TypicalCase
from gongqiang.supervision.services.meetings import CaseRefused, monthly_counts, publish_case
from gongqiang.testing.factories import region

pytestmark = pytest.mark.django_db


def test_meetings_count_against_the_minimum(personas, lines, login):
    client = login(personas.county_a)
    for day in (3, 17):
        response = client.post("/supervision/meetings/new/", {
            "region": region("371302").pk, "held_on": f"2024-05-{day:02d}", "kind": "study", "title": "工业经济专题研究",
            "leader": "区委书记"})
        assert response.status_code == 302
    # A county cannot record for another county: the form offers only its own.
    response = client.post("/supervision/meetings/new/", {
        "region": region("371311").pk, "held_on": "2024-05-05", "kind": "field", "title": "x", "leader": "y"})
    assert response.status_code == 200 and IndustryMeeting.objects.count() == 2
    counts = {c["region"]: (c["count"], c["meets"]) for c in monthly_counts(personas.city, 2024, 5)}
    assert counts["兰山区"] == (2, True) and counts["罗庄区"] == (0, False)  # the pack asks for 2 a month
    assert [c["region"] for c in monthly_counts(personas.county_a, 2024, 5)] == ["兰山区"]
    html = client.get("/supervision/meetings/?month=2024-05").content.decode()
    assert "达标" in html and "罗庄" not in html
    assert "格式不正确" in client.get("/supervision/meetings/?month=x").content.decode()


def test_cases_are_reviewed_and_published(personas, lines, login):
    client = login(personas.county_a)
    response = client.post("/supervision/cases/new/", {"region": region("371302").pk, "line": lines["T6"].pk,
                                                       "title": "兰山文体用品园区经验", "text": "做法一、做法二"})
    case = TypicalCase.objects.get()
    assert response.status_code == 302 and case.status == "draft"
    with pytest.raises(CaseRefused):
        publish_case(personas.county_a, case)
    client = login(personas.city)
    client.post(f"/supervision/cases/{case.pk}/publish/")
    case.refresh_from_db()
    assert case.status == "published"
    with pytest.raises(CaseRefused, match="已发布"):
        publish_case(personas.city, case)
    assert login(personas.county_b).get(f"/supervision/cases/{case.pk}/").status_code == 404
