from .audit import LoginFailure, LoginLockout, LoginRecord
from .policy import Amount, Material, Period, Policy, Step, Unit
from .reference import Audience, Department, Domain, EnterpriseType, ListKind, Region, Sector
from .rules import AmountBand, EligibilityRule
from .supervision import DayKind, Message, StaffProfile, WorkCalendarDay
from .synonym import SynonymGroup

__all__ = [
    "Amount",
    "AmountBand",
    "Audience",
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
    "Region",
    "Sector",
    "StaffProfile",
    "Step",
    "SynonymGroup",
    "Unit",
    "WorkCalendarDay",
]
