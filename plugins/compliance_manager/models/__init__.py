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
    ControlSubgroup,
    ImprovementAction,
    ProviderTestResult,
    Responsibility,
    Template,
)
from .mappings import ControlMap, MappedControl, MappingCollection, MappingRelationship, MapSide
from .points import ActionPoints, ActionType, Enforcement
from .roles import AutomaticUpdates, ComplianceRole, Role

__all__ = [
    "ActionItem",
    "ActionItemChange",
    "ActionPoints",
    "ActionType",
    "Assessment",
    "AssessmentAction",
    "AssessmentGroup",
    "AutomaticUpdates",
    "ComplianceRole",
    "Control",
    "ControlFamily",
    "ControlMap",
    "ControlSubgroup",
    "Enforcement",
    "Evidence",
    "ImplementationStatus",
    "ImprovementAction",
    "MapSide",
    "MappedControl",
    "MappingCollection",
    "MappingRelationship",
    "ProviderTestResult",
    "Responsibility",
    "Role",
    "Template",
    "TestingStatus",
]
