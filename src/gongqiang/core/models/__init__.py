from .audit import AuthEvent, ChangeRecord
from .org import Department, Region, RegionKind
from .policy import PolicyPack
from .user import ApiToken, Membership, Role, User

__all__ = [
    "ApiToken",
    "AuthEvent",
    "ChangeRecord",
    "Department",
    "Membership",
    "PolicyPack",
    "Region",
    "RegionKind",
    "Role",
    "User",
]
