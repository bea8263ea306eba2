from .access_requests import AccessRequest
from .branding import BrandingSettings
from .documents import DocumentVersion, TrustDocument, VersionFile
from .entitlement_stamp import EntitlementStamp, Stamp
from .levels import AccessLevel
from .organizations import Membership, Organization, organization_of
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
from .update_notes import DocumentUpdateNote

__all__ = [
    "AccessLevel",
    "AccessRequest",
    "BrandingSettings",
    "Category",
    "DocumentIndexPage",
    "DocumentUpdateNote",
    "DocumentVersion",
    "EntitlementStamp",
    "Stamp",
    "HomePage",
    "IndustriesRegionsPage",
    "IndustryPage",
    "Membership",
    "Organization",
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
    "organization_of",
]
