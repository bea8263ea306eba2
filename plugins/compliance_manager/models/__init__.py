from .assessments import (
    ActionItem,
    ActionItemChange,
    Assessment,
    AssessmentAction,
    AssessmentGroup,
    Evidence,
    ImplementationStatus,
    TestingStatus,
)
from .catalog import (
    Control,
    ControlFamily,
    ImprovementAction,
    ProviderTestResult,
    Responsibility,
    Template,
)
from .roles import AutomaticUpdates, ComplianceRole, Role

__all__ = [
    "ActionItem",
    "ActionItemChange",
    "Assessment",
    "AssessmentAction",
    "AssessmentGroup",
    "AutomaticUpdates",
    "ComplianceRole",
    "Control",
    "ControlFamily",
    "Evidence",
    "ImplementationStatus",
    "ImprovementAction",
    "ProviderTestResult",
    "Responsibility",
    "Role",
    "Template",
    "TestingStatus",
]
