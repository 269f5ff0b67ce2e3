"""Run, result, enterprise, method and appeal pages: roles, scope (a county sees its units only), the
workflow through the views, exports opened with openpyxl, and the scope walk with evaluation rows."""

from __future__ import annotations

import inspect
import io

import openpyxl
import pytest
from django.urls import reverse

import tests.security.test_scope_walk as walk_module
from gongqiang.evaluation.models import (
    Appeal,
    CaseStatus,
    EvaluationRun,
    MethodVersion,
    Objection,
    Result,
    RunKind,
    RunStatus,
    UnitReview,
)
from gongqiang.testing.factories import region
from gongqiang.testing.urlwalk import all_routes
from tests.evaluation import runs_world as rw

pytestmark = pytest.mark.django_db

globals().update(
    {
        name: value
        for name, value in vars(walk_module).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
    }
)


@pytest.fixture
def published(world, personas):
    run, ents = rw.published(world, personas.city)
    return run


def book(response):
    assert response.status_code == 200, response.status_code
    assert "spreadsheetml" in response["Content-Type"]
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)


def rows_of(sheet):
    return [tuple("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)]


# -- roles -------------------------------------------------------------------------------------------
def test_anonymous_and_nobody_are_kept_out(client, personas, published):
    assert client.get(reverse("evaluation:runs")).status_code == 302
    client.force_login(personas.nobody)
    for name, args in (
        ("evaluation:runs", []),
        ("evaluation:results", []),
        ("evaluation:methods", []),
        ("evaluation:cases", []),
        ("evaluation:run-detail", [published.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_city_sees_every_unit(login, personas, world, published):
    client = login(personas.city)
    page = client.get(reverse("evaluation:runs")).content.decode()
    assert "2024 年度" in page and "第1版" in page
    detail = client.get(reverse("evaluation:run-detail", args=[published.pk])).content.decode()
    assert "chart-unit" in detail and "罗庄区" in detail and "单位排名" in detail
    results = client.get(reverse("evaluation:results")).content.decode()
    assert world.luozhuang_ent.name in results and world.lanshan_ent.name in results


def test_county_sees_its_units_only(login, personas, world, published):
    client = login(personas.county_a)
    results = client.get(reverse("evaluation:results")).content.decode()
    assert world.lanshan_ent.name in results
    assert world.luozhuang_ent.name not in results and world.hedong_ent.name not in results
    detail = client.get(reverse("evaluation:run-detail", args=[published.pk])).content.decode()
    assert "兰山区" in detail and "罗庄区" not in detail  # charts and ranking from its own rows
    assert client.get(reverse("evaluation:enterprise", args=[world.luozhuang_ent.uscc])).status_code == 404
    assert client.get(reverse("evaluation:enterprise", args=[world.lanshan_ent.uscc])).status_code == 200
    assert client.get(reverse("evaluation:run-start")).status_code == 403
    # a filter on another county's code finds nothing of it
    other = client.get(reverse("evaluation:results") + "?region=371311").content.decode()
    assert world.luozhuang_ent.name not in other


def test_enterprise_user_sees_its_own_page_only(login, personas, world, published):
    client = login(personas.ent_user)
    assert client.get(reverse("evaluation:mine"))["Location"] == reverse(
        "evaluation:enterprise", args=[world.lanshan_ent.uscc]
    )
    page = client.get(reverse("evaluation:enterprise", args=[world.lanshan_ent.uscc])).content.decode()
    assert "单位用地税收" in page and "得分 = 40 × min(" in page and "综合得分 =" in page
    assert "近五年评价类别" in page
    assert client.get(reverse("evaluation:enterprise", args=[world.lanshan_below.uscc])).status_code == 404
    assert client.get(reverse("evaluation:results")).status_code == 403
    assert client.get(reverse("evaluation:runs")).status_code == 403


def test_bad_parameters_never_500(login, personas, published):
    client = login(personas.city)
    base = reverse("evaluation:results")
    for query in ("?min=abc&max=--&class=Z&industry=x;y", "?low=2&group=nope", "?q=%00"):
        assert client.get(base + query).status_code == 200, query
    assert client.get(base + "?page=9999").status_code == 404
    assert client.get(base + "?run=abc").status_code == 404
    assert client.get(base + "?run=999999").status_code == 404
    assert client.get(reverse("evaluation:run-detail", args=[999999])).status_code == 404
    assert (
        client.get(reverse("evaluation:run-diff", args=[published.pk]) + "?page=x&kind=zz").status_code == 200
    )


# -- workflow through the views ------------------------------------------------------------------------
def test_workflow_through_the_views(login, personas, world):
    ents = rw.enterprises(world)
    run = rw.draft(rw.frame(ents), personas.city)
    step = reverse("evaluation:run-step", args=[run.pk])
    confirm = reverse("evaluation:run-confirm", args=[run.pk])
    city = login(personas.city)
    response = city.post(step, {"action": "publish"}, follow=True)  # illegal from 企业自查
    assert response.status_code == 200 and "不能公示期满，发布" in response.content.decode()
    city.post(step, {"action": "open_review"})
    run.refresh_from_db()
    assert run.status == RunStatus.COUNTY_REVIEW
    response = city.post(step, {"action": "submit"}, follow=True)
    assert "未完成审核" in response.content.decode()

    county = login(personas.county_a)
    assert county.post(step, {"action": "submit"}).status_code == 403
    county.post(confirm, {"region": "371311", "comment": "越权"})  # not its unit
    assert not UnitReview.objects.filter(run=run, region__code="371311").exists()
    county.post(confirm, {"region": "371302", "comment": "同意"})
    assert UnitReview.objects.get(run=run, region__code="371302").comment == "同意"

    city = login(personas.city)
    for code in ("371311", "371312"):
        city.post(confirm, {"region": code})
    city.post(step, {"action": "submit"})
    city.post(step, {"action": "approve"})
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLIC_NOTICE and run.notice_start and run.notice_end
    response = city.post(step, {"action": "publish"}, follow=True)
    assert "期满后方可发布" in response.content.decode()
    assert city.get(step).status_code == 405


def test_start_form_shows_blockers_and_refuses_without_data(login, personas, world):
    city = login(personas.city)
    page = city.get(reverse("evaluation:run-start") + "?year=2024").content.decode()
    assert "未解决的阻断问题" in page
    response = city.post(reverse("evaluation:run-start"), {"year": "2024", "reason": "年度评价"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not EvaluationRun.objects.filter(year=2024).exists()


# -- exports -------------------------------------------------------------------------------------------
def test_results_export_follows_filters_and_scope(login, personas, world, published):
    county = login(personas.county_a)
    wb = book(county.get(reverse("evaluation:export-results", args=[published.pk])))
    rows = rows_of(wb.worksheets[0])
    assert rows[1][0] == "统一社会信用代码" and "单位用地税收得分" in rows[1]
    body = rows[2:]
    assert len(body) == Result.objects.filter(run=published, region__code="371302").count()
    assert {r[2] for r in body} == {"兰山区"}
    city = login(personas.city)
    wb = book(city.get(reverse("evaluation:export-results", args=[published.pk]) + "?class=A"))
    body = rows_of(wb.worksheets[0])[2:]
    assert len(body) == Result.objects.filter(run=published, final_class="A").count()
    assert all(r[rows[1].index("最终类别")] == "A" for r in body)


def test_notice_export_has_a_sheet_per_unit_with_sections(login, personas, world, published):
    city = login(personas.city)
    wb = book(city.get(reverse("evaluation:export-notice", args=[published.pk])))
    assert wb.sheetnames == ["兰山区", "罗庄区", "河东区"]
    rows = rows_of(wb["兰山区"])
    sections = [r[0] for r in rows if r[0].startswith(("A类", "B类", "C类", "D类"))]
    assert [s[:2] for s in sections] == ["A类", "B类", "C类", "D类"]
    names = {r[2] for r in rows[2:]}
    assert world.lanshan_ent.name in names and world.luozhuang_ent.name not in names
    county = login(personas.county_a)
    assert book(county.get(reverse("evaluation:export-notice", args=[published.pk]))).sheetnames == ["兰山区"]


def test_measures_export_counts_consecutive_years_in_d(login, personas, world):
    ents = rw.enterprises(world)
    rw.publish(rw.draft(rw.frame(ents, year=2023), personas.city, year=2023), personas.city)
    run = rw.publish(rw.draft(rw.frame(ents, year=2024), personas.city, year=2024), personas.city)
    d = Result.objects.filter(run=run, final_class="D").select_related("enterprise")
    assert d.exists()
    city = login(personas.city)
    wb = book(city.get(reverse("evaluation:export-measures", args=[run.pk])))
    assert wb.sheetnames[0] == "说明" and "D类（限制发展）" in wb.sheetnames
    rows = rows_of(wb["D类（限制发展）"])
    header = rows[1]
    assert header[-2] == "连续D类年数"
    by_uscc = {r[1]: r for r in rows[2:]}
    for r in d:
        line = by_uscc[r.enterprise.uscc]
        assert line[-2] == "2" and float(line[-1]) == pytest.approx(0.10)  # D in 2023 and 2024
    assert "严格限制" in rows[2][5]


# -- objections and appeals ----------------------------------------------------------------------------
def test_objection_during_self_check_and_county_answer(login, personas, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    ents = rw.enterprises(world)
    rw.draft(rw.frame(ents), personas.city)
    ent = login(personas.ent_user)
    url = reverse("evaluation:objection-create", args=[world.lanshan_ent.uscc])
    ent.post(
        url, {"text": "用地面积应为 8 亩", "evidence": SimpleUploadedFile("不动产证.pdf", b"%PDF-1.4 x")}
    )
    obj = Objection.objects.get(enterprise=world.lanshan_ent)
    assert obj.region.code == "371302" and obj.evidence
    assert ent.get(reverse("evaluation:objection-evidence", args=[obj.pk])).status_code == 200
    # another enterprise's objection URL is a 404
    assert (
        ent.post(
            reverse("evaluation:objection-create", args=[world.luozhuang_ent.uscc]), {"text": "x"}
        ).status_code
        == 404
    )

    other = login(personas.county_b)
    other.post(
        reverse("evaluation:objection-answer", args=[obj.pk]), {"status": "accepted", "response": "越权"}
    )
    obj.refresh_from_db()
    assert obj.status == CaseStatus.SUBMITTED
    county = login(personas.county_a)
    assert "用地面积应为 8 亩" in county.get(reverse("evaluation:cases")).content.decode()
    county.post(
        reverse("evaluation:objection-answer", args=[obj.pk]), {"status": "accepted", "response": "已更正"}
    )
    obj.refresh_from_db()
    assert obj.status == CaseStatus.ACCEPTED and obj.response == "已更正"


def test_appeal_granted_makes_a_new_version(login, personas, world, published):
    ent = login(personas.ent_user)
    mine = Result.objects.get(run=published, enterprise=world.lanshan_ent)
    wanted = "A" if mine.final_class != "A" else "B"
    url = reverse("evaluation:appeal-create", args=[world.lanshan_ent.uscc])
    response = ent.post(url, {"requested_class": mine.final_class, "text": "同类"}, follow=True)
    assert "不同的申请类别" in response.content.decode()
    ent.post(url, {"requested_class": wanted, "text": "研发投入漏报"})
    appeal = Appeal.objects.get(enterprise=world.lanshan_ent)
    assert appeal.result_id == mine.pk

    assert (
        login(personas.county_a)
        .post(reverse("evaluation:appeal-decide", args=[appeal.pk]), {"verdict": "grant", "decision": "x"})
        .status_code
        == 403
    )
    city = login(personas.city)
    response = city.post(
        reverse("evaluation:appeal-decide", args=[appeal.pk]),
        {"verdict": "grant", "decision": ""},
        follow=True,
    )
    assert "决定理由" in response.content.decode()
    city.post(
        reverse("evaluation:appeal-decide", args=[appeal.pk]),
        {"verdict": "grant", "decision": "属实", "klass": wanted},
    )
    appeal.refresh_from_db()
    assert appeal.status == CaseStatus.ACCEPTED and appeal.new_run is not None
    new = Result.objects.get(run=appeal.new_run, enterprise=world.lanshan_ent)
    assert (new.computed_class, new.adjusted_class, new.final_class) == (mine.computed_class, wanted, wanted)
    published.refresh_from_db()
    assert published.status == RunStatus.SUPERSEDED and appeal.new_run.status == RunStatus.PUBLISHED
    diff = city.get(reverse("evaluation:run-diff", args=[appeal.new_run.pk])).content.decode()
    assert "人工调档" in diff and world.lanshan_ent.name in diff


def test_appeal_refused_records_the_reason(login, personas, world, published):
    county = login(personas.county_a)
    mine = Result.objects.get(run=published, enterprise=world.lanshan_ent)
    wanted = "A" if mine.final_class != "A" else "B"
    county.post(
        reverse("evaluation:appeal-create", args=[world.lanshan_ent.uscc]),
        {"requested_class": wanted, "text": "县区申请"},
    )
    appeal = Appeal.objects.get(enterprise=world.lanshan_ent)
    login(personas.city).post(
        reverse("evaluation:appeal-decide", args=[appeal.pk]), {"verdict": "refuse", "decision": "理由不充分"}
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decision, appeal.new_run) == (CaseStatus.REJECTED, "理由不充分", None)
    assert EvaluationRun.objects.get(pk=published.pk).status == RunStatus.PUBLISHED


# -- methods -------------------------------------------------------------------------------------------
def test_method_edit_validates_in_chinese_and_saves_a_version(login, personas, linyi):
    city = login(personas.city)
    url = reverse("evaluation:method-edit", args=[2024])
    page = city.get(url).content.decode()
    assert "指标权重" in page and "公示天数" in page
    response = city.post(url, {"w__above_scale__tax_per_mu": "50", "note": "提高亩均税收权重"})
    assert response.status_code == 200 and "权重合计为 110" in response.content.decode()
    response = city.post(url, {"w__above_scale__tax_per_mu": "abc", "note": "x"})
    assert "不是有效的数字" in response.content.decode()
    assert (
        "修改说明"
        in city.post(url, {"w__above_scale__tax_per_mu": "40", "score_cap": "1.5"}).content.decode()
    )
    assert MethodVersion.objects.filter(year=2024).count() == 1
    response = city.post(
        url,
        {
            "w__above_scale__tax_per_mu": "50",
            "w__above_scale__revenue_per_energy": "5",
            "note": "提高亩均税收权重",
        },
    )
    assert response.status_code == 302
    new = MethodVersion.objects.get(year=2024, version=2)
    assert new.note == "提高亩均税收权重"
    detail = city.get(reverse("evaluation:method-detail", args=[new.pk])).content.decode()
    assert "规上工业企业 · 单位用地税收 · 权重：40 → 50" in detail
    assert login(personas.county_a).get(url).status_code == 403


def test_method_copy_and_list(login, personas, linyi):
    from gongqiang.evaluation.services.methods import current_version

    current_version(2024)
    city = login(personas.city)
    city.post(reverse("evaluation:method-copy"), {"year": "2025"})
    assert MethodVersion.objects.filter(year=2025, origin="copy").exists()
    page = city.get(reverse("evaluation:methods")).content.decode()
    assert "2025 年" in page and "复制上一年" in page


def test_whatif_redirects_to_the_diff(login, personas, world, published):
    city = login(personas.city)
    url = reverse("evaluation:run-whatif", args=[published.pk])
    assert city.get(url).status_code == 200
    response = city.post(url, {"quota__A": "30", "quota__B": "30", "note": "A类放宽到30%"})
    whatif = EvaluationRun.objects.get(kind=RunKind.WHATIF)
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:run-diff", args=[whatif.pk]
    )
    page = city.get(response["Location"]).content.decode()
    assert "分档 · A类 · 比例（%）：20 → 30" in page
    assert "评价方法变化" in page
    assert published.status == RunStatus.PUBLISHED


# -- the scope walk with evaluation rows ----------------------------------------------------------------
def test_county_walk_with_evaluation_rows(client, personas, world, request, monkeypatch, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    ents = rw.enterprises(world)
    city = personas.city
    rw.publish(rw.draft(rw.frame(ents, year=2023), city, year=2023), city)
    first = rw.publish(rw.draft(rw.frame(ents), city), city)
    bump = {e.pk: {"tax_paid": 9e6} for e in ents if e.region.code != "371302"}
    bump[world.lanshan_ent.pk] = {"tax_paid": 1.0}
    second = rw.draft(rw.frame(ents, bump=bump), city, based_on=first, reason="重新评价")
    from gongqiang.evaluation.services import runs

    second = runs.step(second, "open_review", city)
    for code in ("371302", "371311"):
        runs.confirm_unit(second, region(code), city, "同意")
    for ent in (world.lanshan_ent, world.luozhuang_ent):
        r = Result.objects.get(run=first, enterprise=ent)
        Objection.objects.create(
            run=second,
            enterprise=ent,
            region=r.region,
            text=f"{ent.name}的异议",
            evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4"),
        )
        Appeal.objects.create(
            result=r,
            enterprise=ent,
            region=r.region,
            requested_class="A",
            text=f"{ent.name}申请调档",
            evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4"),
        )

    mine = {
        name
        for name in (
            "runs",
            "run-start",
            "run-detail",
            "run-step",
            "run-confirm",
            "run-diff",
            "run-whatif",
            "export-results",
            "export-notice",
            "export-measures",
            "results",
            "enterprise",
            "objection-create",
            "appeal-create",
            "cases",
            "objection-answer",
            "objection-evidence",
            "appeal-decide",
            "appeal-evidence",
            "methods",
            "method-copy",
            "method-detail",
            "method-edit",
        )
    }
    routes = [
        r
        for r in all_routes()
        if r.name.removeprefix("evaluation:") in mine
        and r.name.startswith("evaluation:")
        or r.template.startswith("api/evaluation/")
    ]
    assert len(routes) >= 25
    monkeypatch.setattr(walk_module, "all_routes", lambda: routes)
    walk = walk_module.test_county_user_walks_every_url
    given = {"client": client, "personas": personas, "world": world}
    walk(
        **{
            name: given.get(name) or request.getfixturevalue(name)
            for name in inspect.signature(walk).parameters
        }
    )
