from .policy import Amount, Material, Period, Policy, Step, Unit
from .reference import Audience, Department, Domain, EnterpriseType, ListKind, Region, Sector
from .rules import AmountBand, EligibilityRule
from .supervision import DayKind, Message, StaffProfile, WorkCalendarDay
from .synonym import SynonymGroup
from .workflow import ProposedChange

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
    "Material",
    "Message",
    "Period",
    "Policy",
    "ProposedChange",
    "Region",
    "Sector",
    "StaffProfile",
    "Step",
    "SynonymGroup",
    "Unit",
    "WorkCalendarDay",
]
