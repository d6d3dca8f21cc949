from .audit import LoginFailure, LoginLockout, LoginRecord
from .booklet import Booklet
from .policy import Amount, Material, Period, Policy, Spending, Step, Unit
from .public_service import Provision, VillageItemStatus
from .reference import Audience, Department, Domain, EnterpriseType, ListKind, Region, Sector
from .rules import AmountBand, EligibilityRule
from .supervision import DayKind, Message, StaffProfile, WorkCalendarDay
from .synonym import SynonymGroup
from .workflow import ProposedChange

__all__ = [
    "Amount",
    "AmountBand",
    "Audience",
    "Booklet",
    "DayKind",
    "Department",
    "Domain",
    "EligibilityRule",
    "EnterpriseType",
    "ListKind",
    "LoginFailure",
    "LoginLockout",
    "LoginRecord",
    "Material",
    "Message",
    "Period",
    "Policy",
    "ProposedChange",
    "Provision",
    "Region",
    "Sector",
    "Spending",
    "StaffProfile",
    "Step",
    "SynonymGroup",
    "Unit",
    "VillageItemStatus",
    "WorkCalendarDay",
]
