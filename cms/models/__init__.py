from .documents import DocumentVersion, TrustDocument, VersionFile
from .pages import (
    DocumentIndexPage,
    HomePage,
    IndustriesRegionsPage,
    IndustryPage,
    RegionPage,
    StarterPackItem,
    StarterPackKind,
    StarterPackPage,
)
from .portal_settings import PortalSettings
from .taxonomy import Category, Industry, Region, Section, Service, Standard

__all__ = [
    "Category",
    "DocumentIndexPage",
    "DocumentVersion",
    "HomePage",
    "IndustriesRegionsPage",
    "IndustryPage",
    "Industry",
    "PortalSettings",
    "Region",
    "RegionPage",
    "Section",
    "Service",
    "Standard",
    "StarterPackItem",
    "StarterPackKind",
    "StarterPackPage",
    "TrustDocument",
    "VersionFile",
]
