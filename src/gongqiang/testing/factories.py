"""factory_boy factories for tests. Organisation rows come from the loaded policy pack; these add
towns, enterprises, users and memberships on top."""

from __future__ import annotations

import factory

from gongqiang.core.models import Membership, Region, Role, User
from gongqiang.enterprises.models import Enterprise
from gongqiang.lib.uscc import USCC_ALPHABET, make


def _org_code(n: int) -> str:
    digits = []
    for _ in range(8):
        n, r = divmod(n, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[r])
    return "MA" + "".join(reversed(digits))[-7:]


def uscc_for(region_code: str, n: int) -> str:
    """A valid, unique USCC in the given county (n distinguishes enterprises)."""
    return make(f"91{region_code}{_org_code(n)}")


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.LazyFunction(lambda: region("371302"))
    code = factory.Sequence(lambda n: f"9{n:08d}")
    name = factory.Sequence(lambda n: f"测试{n}街道")
    kind = "town"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    region = factory.LazyFunction(lambda: region("371302"))
    uscc = factory.LazyAttributeSequence(lambda o, n: uscc_for(o.region.code, n + 1))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    industry_code = "2021"
    above_scale = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Test@2026pass")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


PASSWORD = "Test@2026pass"


def member(role: str, *, username: str | None = None, **scope) -> User:
    """A user with one membership: member(Role.COUNTY, region=region("371302"))."""
    user = UserFactory(**({"username": username} if username else {}))
    Membership.objects.create(user=user, role=role, **scope)
    return user


__all__ = ["EnterpriseFactory", "PASSWORD", "Role", "TownFactory", "UserFactory", "member", "region", "uscc_for"]
