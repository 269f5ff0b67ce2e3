"""visible_to / writable_by per role, and the write recheck inside the transaction."""

import pytest
from django.db import transaction

from gongqiang.core.models import Department, Membership, Region, Role
from gongqiang.core.scope import ScopeViolation, delete_scoped, save_scoped
from gongqiang.enterprises.models import Enterprise
from gongqiang.testing.factories import EnterpriseFactory, member, region

pytestmark = pytest.mark.django_db


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_city_leader_admin_see_everything(personas, world):
    for user in (personas.city, personas.leader, personas.admin):
        assert Enterprise.objects.visible_to(user).count() == Enterprise.objects.count() == 4


def test_county_sees_its_subtree_only(personas, world):
    visible = names(Enterprise.objects.visible_to(personas.county_a))
    assert visible == {"兰山示范木业有限公司", "兰山小微五金厂"}
    assert names(Enterprise.objects.visible_to(personas.county_b)) == {"罗庄哨兵不锈钢有限公司"}
    # Regions: its own county and its towns, nothing of the neighbours.
    codes = set(Region.objects.visible_to(personas.county_a).values_list("code", flat=True))
    assert codes == {"371302", "371302001"}


def test_department_reads_registry_city_wide(personas, world):
    assert Enterprise.objects.visible_to(personas.dept).count() == 4


def test_enterprise_user_sees_only_itself(personas, world):
    assert list(Enterprise.objects.visible_to(personas.ent_user)) == [world.lanshan_ent]
    assert not Region.objects.visible_to(personas.ent_user).exists()


def test_no_membership_sees_nothing(personas, world):
    assert not Enterprise.objects.visible_to(personas.nobody).exists()
    assert not Region.objects.visible_to(personas.nobody).exists()
    assert not Department.objects.visible_to(personas.nobody).exists()


def test_anonymous_and_inactive_see_nothing(personas, world):
    from django.contrib.auth.models import AnonymousUser

    assert not Enterprise.objects.visible_to(AnonymousUser()).exists()
    personas.city.is_active = False
    assert not Enterprise.objects.visible_to(personas.city).exists()


def test_two_memberships_union(personas, world):
    Membership.objects.create(user=personas.county_a, role=Role.COUNTY, region=region("371311"))
    personas.county_a._gq_memberships = None
    assert len(names(Enterprise.objects.visible_to(personas.county_a))) == 3


def test_public_reference_data_visible_to_members(personas):
    assert Department.objects.visible_to(personas.county_a).filter(code="gxj").exists()


def test_county_creates_in_own_county(personas, world):
    e = Enterprise(uscc=EnterpriseFactory.build().uscc, name="兰山新企业", region=region("371302"), industry_code="1310")
    save_scoped(e, personas.county_a)
    assert Enterprise.objects.filter(name="兰山新企业").exists()


def test_county_cannot_create_in_other_county(personas, world):
    e = EnterpriseFactory.build(region=region("371311"), name="越权新建企业")
    with pytest.raises(ScopeViolation):
        save_scoped(e, personas.county_a)
    assert not Enterprise.objects.filter(name="越权新建企业").exists()


def test_moving_a_row_out_of_scope_is_rolled_back(personas, world):
    ent = Enterprise.objects.get(pk=world.lanshan_ent.pk)
    ent.region = region("371311")
    ent.town = None
    with pytest.raises(ScopeViolation):
        save_scoped(ent, personas.county_a)
    assert Enterprise.objects.get(pk=ent.pk).region.code == "371302"


def test_cannot_touch_rows_of_another_county(personas, world):
    other = Enterprise.objects.get(pk=world.luozhuang_ent.pk)
    other.name = "被篡改"
    with pytest.raises(ScopeViolation):
        save_scoped(other, personas.county_a)
    with pytest.raises(ScopeViolation):
        delete_scoped(other, personas.county_a)
    assert Enterprise.objects.get(pk=other.pk).name == "罗庄哨兵不锈钢有限公司"


def test_leader_is_read_only(personas, world):
    ent = Enterprise.objects.get(pk=world.lanshan_ent.pk)
    ent.name = "领导改名"
    with pytest.raises(ScopeViolation):
        save_scoped(ent, personas.leader)
    assert Enterprise.objects.get(pk=ent.pk).name == "兰山示范木业有限公司"


def test_violation_inside_outer_transaction_leaves_nothing(personas, world):
    with pytest.raises(ScopeViolation), transaction.atomic():
        save_scoped(EnterpriseFactory.build(region=region("371302"), name="同批合法"), personas.county_a)
        save_scoped(EnterpriseFactory.build(region=region("371311"), name="同批越权"), personas.county_a)
    assert not Enterprise.objects.filter(name__startswith="同批").exists()


def test_every_scoped_model_declares_its_path():
    from django.apps import apps

    from gongqiang.core.scope import ScopedManager

    for model in apps.get_models():
        if model._meta.app_config.name.startswith("gongqiang.") and isinstance(model._default_manager, ScopedManager):
            assert getattr(model, "data_scope", None) is not None, model


def test_region_path_is_materialised(world):
    assert world.lanshan_town.path == "371300/371302/371302001/"
    assert world.lanshan_town.county_level().code == "371302"


def test_member_helper_requires_scope_target():
    from django.core.exceptions import ValidationError

    m = Membership(role=Role.COUNTY)
    with pytest.raises(ValidationError):
        m.clean()
    m = Membership(role=Role.CITY, region=Region(code="1"))
    m.region_id = 1
    with pytest.raises(ValidationError):
        m.clean()


def test_member_factory(personas):
    assert member(Role.CITY).memberships.count() == 1
