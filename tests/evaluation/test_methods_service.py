"""Method versions per year: from the pack on first use, copied from the previous year, edited by the city."""

from __future__ import annotations

import copy

import pytest

from gongqiang.evaluation.models import MethodOrigin, MethodVersion
from gongqiang.evaluation.services import methods


@pytest.mark.django_db
def test_first_use_takes_the_packs_method(linyi):
    v = methods.current_version(2023)
    assert (v.year, v.version, v.origin) == (2023, 1, MethodOrigin.PACK)
    assert v.pack_version and v.sha256 == methods.spec_hash(v.spec)
    assert methods.current_version(2023).pk == v.pk  # no second copy


@pytest.mark.django_db
def test_a_year_before_any_method_is_refused(linyi):
    with pytest.raises(methods.MethodError, match="没有适用于2019年"):
        methods.current_version(2019)


@pytest.mark.django_db
def test_edit_makes_a_new_version_and_keeps_the_old(linyi, personas):
    old = methods.current_version(2024)
    raw = copy.deepcopy(old.spec)
    raw["groups"][0]["indicators"][0]["weight"] = 50
    raw["groups"][0]["indicators"][1]["weight"] = 5
    new = methods.save_edit(2024, raw, personas.city, "亩均税收权重提高到50")
    assert (new.version, new.origin, new.based_on_id) == (2, MethodOrigin.EDIT, old.pk)
    assert MethodVersion.objects.filter(year=2024).count() == 2
    assert any("weight：40 → 50" in line for line in methods.describe_changes(old.spec, new.spec))


@pytest.mark.django_db
def test_bad_edits_are_refused_and_nothing_is_saved(linyi, personas):
    old = methods.current_version(2024)
    raw = copy.deepcopy(old.spec)
    raw["groups"][0]["indicators"][0]["weight"] = 41
    with pytest.raises(methods.MethodError, match="权重合计为 101"):
        methods.save_edit(2024, raw, personas.city, "试改")
    with pytest.raises(methods.MethodError, match="修改说明"):
        methods.save_edit(2024, copy.deepcopy(old.spec), personas.city, " ")
    with pytest.raises(methods.MethodError, match="没有变化"):
        methods.save_edit(2024, copy.deepcopy(old.spec), personas.city, "无变化")
    assert MethodVersion.objects.filter(year=2024).count() == 1


@pytest.mark.django_db
def test_copy_previous_year(linyi, personas):
    with pytest.raises(methods.MethodError, match="2021年还没有评价方法"):
        methods.copy_previous(2022, personas.city)
    base = methods.current_version(2022)
    raw = copy.deepcopy(base.spec)
    raw["score"]["cap"] = "1.5"
    edited = methods.save_edit(2022, raw, personas.city, "封顶1.5倍")
    copied = methods.copy_previous(2023, personas.city)
    assert (copied.origin, copied.based_on_id, copied.spec) == (MethodOrigin.COPY, edited.pk, edited.spec)
    assert methods.to_method(copied.spec).score.cap == methods.to_method(edited.spec).score.cap


@pytest.mark.django_db
def test_a_second_run_of_a_year_waits_for_the_open_one(linyi, personas, world):
    import datetime as dt

    from gongqiang.evaluation.services import runs

    from . import runs_world

    draft = runs_world.draft(runs_world.frame(runs_world.enterprises(world)), personas.city)
    with pytest.raises(runs.RunRefused, match="尚在“企业自查”阶段"):
        runs.start_run(2024, personas.city, waiver_reason="测试", today=dt.date(2025, 7, 1))
    runs.step(draft, "discard", personas.city)
    with pytest.raises(runs.RunRefused) as refused:  # now it gets as far as the registry (empty here)
        runs.start_run(2024, personas.city, waiver_reason="测试", today=dt.date(2025, 7, 1))
    assert "尚在" not in str(refused.value)
