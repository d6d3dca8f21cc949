from .policy import Amount, Material, Period, Policy, Step, Unit
from .reference import Audience, Department, Domain, EnterpriseType, ListKind, Region, Sector

__all__ = [
    "Amount",
    "Audience",
    "Department",
    "Domain",
    "EnterpriseType",
    "ListKind",
    "Material",
    "Period",
    "Policy",
    "Region",
    "Sector",
    "Step",
    "Unit",
]
