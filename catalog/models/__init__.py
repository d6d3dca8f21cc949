from .policy import Amount, Material, Period, Policy, Step, Unit
from .reference import Audience, Department, Domain, EnterpriseType, ListKind, Region, Sector
from .synonym import SynonymGroup

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
    "SynonymGroup",
    "Unit",
]
