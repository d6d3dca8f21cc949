from .policy import Amount, Material, Period, Policy, Step, Unit
from .reference import Audience, Department, Domain, EnterpriseType, ListKind, Region, Sector
from .rules import AmountBand, EligibilityRule
from .synonym import SynonymGroup

__all__ = [
    "Amount",
    "AmountBand",
    "Audience",
    "Department",
    "Domain",
    "EligibilityRule",
    "EnterpriseType",
    "ListKind",
    "Material",
    "Period",
    "Policy",
    "Region",
    "Sector",
    "Step",
    "SynonymGroup",
    "Unit",
]
