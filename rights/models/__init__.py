"""The rights app's models, one module per concern: works, splits and sheets, licences,
statements and earnings, payouts."""

from .licences import ALERT_DAYS, Licence, LicenceAlert
from .payouts import (
    Advance,
    Allocation,
    Conversion,
    PayeeStatement,
    Payment,
    Period,
    Recoupment,
    RightsSettings,
)
from .splits import (
    RecoupOrder,
    Share,
    SignatureRequest,
    SplitKind,
    SplitSet,
    SplitSheet,
    SplitSheetVersion,
    SplitSignature,
)
from .statements import (
    ColumnMapping,
    Earning,
    ExchangeRate,
    MatchRule,
    ReportedItem,
    Source,
    Statement,
    StatementJob,
    earning_id,
)
from .works import Work, WorkParty

__all__ = [
    "ALERT_DAYS",
    "Advance",
    "Allocation",
    "ColumnMapping",
    "Conversion",
    "Earning",
    "ExchangeRate",
    "Licence",
    "LicenceAlert",
    "MatchRule",
    "Payment",
    "PayeeStatement",
    "Period",
    "RecoupOrder",
    "ReportedItem",
    "Recoupment",
    "RightsSettings",
    "Share",
    "SignatureRequest",
    "Source",
    "SplitKind",
    "SplitSet",
    "SplitSheet",
    "SplitSheetVersion",
    "SplitSignature",
    "Statement",
    "StatementJob",
    "Work",
    "earning_id",
    "WorkParty",
]
