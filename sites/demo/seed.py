"""Builds the demo portal. Idempotent: everything is looked up by slug before it is created."""

from __future__ import annotations

from datetime import date
from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management import call_command
from wagtail.models import Locale, Page, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from cms.models import (
    AccessLevel,
    Category,
    DocumentIndexPage,
    DocumentVersion,
    HomePage,
    IndustriesRegionsPage,
    Industry,
    IndustryPage,
    Membership,
    Organization,
    PortalSettings,
    Region,
    RegionPage,
    Service,
    Standard,
    StarterPackItem,
    StarterPackPage,
    TrustDocument,
    VersionFile,
)
from cms.plugins import registry
from cms.setup import ensure_editor_permissions, ensure_locales
from search.indexing import deferred_indexing

from . import content
from .brand import seed_brand
from .content.industries import INDUSTRY_INTROS
from .pdf import render_document_pdf
from .translate import translate_demo

DEMO_ORGANIZATION = {
    "name": "Example Bank",
    "slug": "example-bank",
    "email_domains": "bank.example",
}


class Seeder:
    def __init__(self, password: str, log=print):
        self.password = password
        self.log = log
        self.locale = None
        self.terms: dict[type, dict[str, object]] = {}

    def run(self) -> None:
        # Wagtail updates its reference index and both search indexes follow every save, and
        # the seed saves most objects several times (draft, revision, publish, translation):
        # each index is built once, at the end, as their rebuild commands do it.
        with disable_reference_index_auto_update(), deferred_indexing():
            ensure_locales()
            ensure_editor_permissions()
            self.locale = Locale.get_default()
            self.organization, _created = Organization.objects.get_or_create(
                slug=DEMO_ORGANIZATION["slug"], defaults=DEMO_ORGANIZATION
            )
            self.seed_taxonomy()
            self.seed_documents()
            self.seed_pages()
            self.seed_users()
            self.seed_settings()
            self.seed_plugins()
            self.seed_translations()
        call_command("rebuild_references_index", verbosity=0)

    # Taxonomy --------------------------------------------------------------------------------

    def _term(self, model, slug, name, **extra):
        term, _created = model.objects.get_or_create(
            slug=slug, locale=self.locale, defaults={"name": name, **extra}
        )
        self.terms.setdefault(model, {})[slug] = term
        return term

    def seed_taxonomy(self) -> None:
        for order, (slug, name) in enumerate(content.SERVICES):
            self._term(Service, slug, name, sort_order=order)
        for order, (slug, name, section) in enumerate(content.CATEGORIES):
            self._term(Category, slug, name, section=section, sort_order=order)
        for order, (slug, name) in enumerate(content.STANDARDS):
            self._term(Standard, slug, name, sort_order=order)
        for order, (slug, name, code) in enumerate(content.REGIONS):
            self._term(Region, slug, name, country_code=code, sort_order=order)
        for order, (slug, name) in enumerate(content.INDUSTRIES):
            self._term(Industry, slug, name, sort_order=order)
        self.log(f"Taxonomy: {sum(len(v) for v in self.terms.values())} terms")

    # Documents -------------------------------------------------------------------------------

    def seed_documents(self) -> None:
        created = versions_created = 0
        for spec in content.DOCUMENTS:
            document = TrustDocument.objects.filter(slug=spec["slug"], locale=self.locale).first()
            if document is None:
                document = self._create_document(spec)
                created += 1
            for label, published, change in spec["versions"]:
                if not document.versions.filter(version_label=label).exists():
                    self._create_version(
                        document, spec, label, date.fromisoformat(published), change
                    )
                    versions_created += 1
        self.log(
            f"Documents: {created} created, {versions_created} versions created, "
            f"{TrustDocument.objects.filter(locale=self.locale).count()} in all"
        )

    def _create_document(self, spec) -> TrustDocument:
        period = spec.get("period")
        document = TrustDocument(
            locale=self.locale,
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            category=self.terms[Category][spec["category"]],
            access_level=spec["access"],
            restricted_listed=spec.get("listed", False),
            audit_period_start=date.fromisoformat(period[0]) if period else None,
            audit_period_end=date.fromisoformat(period[1]) if period else None,
        )
        document.save()
        document.services.set([self.terms[Service][s] for s in spec.get("services", [])])
        document.standards.set([self.terms[Standard][s] for s in spec.get("standards", [])])
        document.regions.set([self.terms[Region][s] for s in spec.get("regions", [])])
        document.industries.set([self.terms[Industry][s] for s in spec.get("industries", [])])
        if spec["access"] == AccessLevel.RESTRICTED and spec.get("listed"):
            document.restricted_organizations.set([self.organization])
        document.save()
        document.save_revision().publish()
        return document

    def _create_version(self, document, spec, label, published_on, change) -> DocumentVersion:
        version = DocumentVersion(
            locale=self.locale,
            document=document,
            version_label=label,
            published_on=published_on,
            change_description=change,
        )
        version.save()
        for language in ["en", *spec.get("languages", [])]:
            pdf = render_document_pdf(
                document.title, label, published_on, document.summary, change, language
            )
            name = f"{document.slug}-{label.replace(' ', '-').lower()}-{language}.pdf"
            VersionFile.objects.create(
                version=version, language=language, file=ContentFile(pdf, name=name)
            )
        version.save_revision().publish()
        return version

    # Pages -----------------------------------------------------------------------------------

    def _child(self, parent, model, slug, **fields):
        existing = parent.get_children().filter(slug=slug).first()
        if existing:
            return existing.specific
        page = model(slug=slug, locale=self.locale, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    def seed_pages(self) -> None:
        root = Page.get_first_root_node()
        home = HomePage.objects.filter(locale=self.locale).first()
        if home is None:
            # Replace Wagtail's placeholder "Welcome" page (and its aliases) by our home page.
            for placeholder in root.get_children().exclude(content_type__model="homepage"):
                placeholder.specific.delete()
            home = HomePage(
                title="Trust Portal",
                slug="home",
                locale=self.locale,
                intro="<p>Security, privacy and compliance documentation for our cloud services: audit reports, "
                "certificates, white papers and blueprints.</p>",
            )
            root.add_child(instance=home)
            home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "root_page": home,
                "hostname": "localhost",
                "port": 80,
                "site_name": "Trust Portal",
            },
        )
        documents = self._child(
            home,
            DocumentIndexPage,
            "trust-documents",
            title="Trust Documents",
            intro="<p>Everything we publish about how our services keep your data safe.</p>",
        )
        for section, title in (
            ("audit-reports", "Audit Reports"),
            ("data-protection", "Data Protection"),
            ("blueprints", "Blueprints"),
        ):
            self._child(documents, DocumentIndexPage, section, title=title, section=section)
        hub = self._child(
            home,
            IndustriesRegionsPage,
            "industries-regions",
            title="Industries & Regions",
            intro="<p>Compliance information for regulated industries and for the law of each country.</p>",
        )
        self._seed_industries(hub)
        for slug, name, _code in content.REGIONS[:9]:
            self._child(
                hub,
                RegionPage,
                slug,
                title=name,
                region=self.terms[Region][slug],
                intro=f"<p>Legal opinions on using our cloud services under the law of {name}.</p>",
            )
        call_command("sync_locale_trees", verbosity=0)
        self.log(
            f"Pages: {Page.objects.filter(locale=self.locale).count()} in the default locale, "
            f"{Page.objects.count() - 1} in all locales"
        )

    def _seed_industries(self, hub) -> None:
        finance = self._child(
            hub,
            IndustryPage,
            "financial-services",
            title="Financial services",
            industry=self.terms[Industry]["financial-services"],
            intro="<p>Banks, insurers and capital markets firms run regulated workloads on our services.</p>",
            body=[
                ("heading", "Compliance offerings"),
                (
                    "offering",
                    {
                        "name": "SOC 1 and SOC 2",
                        "description": "Annual reports on controls over financial reporting and security.",
                    },
                ),
                (
                    "offering",
                    {"name": "PCI DSS", "description": "Level 1 service provider attestation."},
                ),
                ("heading", "Frequently asked questions"),
                (
                    "faq",
                    {
                        "question": "Can our regulator audit the provider?",
                        "answer": "<p>Yes. Our contracts grant audit and access rights to customers and their regulators.</p>",
                    },
                ),
                (
                    "faq",
                    {
                        "question": "Where is our data stored?",
                        "answer": "<p>In the regions you choose; we do not move it elsewhere without your instruction.</p>",
                    },
                ),
                ("heading", "Success stories"),
                (
                    "success_story",
                    {
                        "customer": "A European retail bank",
                        "story": "<p>Moved its payments platform in nine months with its supervisor's approval.</p>",
                    },
                ),
            ],
        )
        packs = [
            (
                "evaluation",
                "Evaluation starter pack",
                "For the first evaluation of the cloud by a financial institution.",
                [
                    "security-white-paper",
                    "shared-responsibility-white-paper",
                    "soc-3",
                    "iso-27001-certificate",
                    "financial-services-faq",
                ],
            ),
            (
                "assessment",
                "Assessment starter pack",
                "Checklists and guidance to assess security, compliance and privacy risks.",
                [
                    "risk-assessment-tool",
                    "vendor-risk-questionnaire",
                    "financial-outsourcing-guide",
                    "soc-2-type-2",
                    "pen-test-summary",
                ],
            ),
            (
                "audit",
                "Audit starter pack",
                "Guidance on audit controls for your implementation.",
                [
                    "soc-1-type-2",
                    "soc-2-type-2",
                    "iso-27001-audit-report",
                    "pci-dss-aoc",
                    "soc-bridge-letter",
                ],
            ),
        ]
        for kind, title, intro, slugs in packs:
            pack = self._child(
                finance,
                StarterPackPage,
                f"{kind}-starter-pack",
                title=title,
                kind=kind,
                intro=f"<p>{intro}</p>",
            )
            if not pack.items.exists():
                for order, slug in enumerate(slugs):
                    StarterPackItem.objects.create(
                        page=pack,
                        sort_order=order,
                        document=TrustDocument.objects.get(slug=slug, locale=self.locale),
                    )
                pack.save_revision().publish()
        for slug, name in content.INDUSTRIES[1:]:
            self._child(
                hub,
                IndustryPage,
                slug,
                title=name,
                industry=self.terms[Industry][slug],
                intro=INDUSTRY_INTROS[slug],
            )

    # Users and settings ----------------------------------------------------------------------

    def seed_users(self) -> None:
        User = get_user_model()
        administrators, _created = Group.objects.get_or_create(name="Administrators")
        accounts = [
            (
                "admin",
                "Ada",
                "Admin",
                "admin@provider.example",
                True,
                ["Administrators", "Moderators"],
            ),
            ("editor", "Eli", "Editor", "editor@provider.example", False, ["Editors"]),
            ("reader", "Rita", "Reader", "rita.reader@bank.example", False, []),
            ("contributor", "Carl", "Contributor", "carl.contributor@bank.example", False, []),
            ("personal", "Pat", "Personal", "pat@mail.example", False, []),
        ]
        # Example Bank's members: Rita administers the organization (More › Admin on the
        # reader site), Carl is a member (his Compliance Manager role comes from its demo).
        bank_roles = {"reader": Membership.Role.ADMIN, "contributor": Membership.Role.MEMBER}
        for username, first, last, email, superuser, groups in accounts:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "is_superuser": superuser,
                    "is_staff": superuser or username == "editor",
                },
            )
            user.set_password(self.password)
            user.save()
            user.groups.add(*Group.objects.filter(name__in=groups))
            if username in bank_roles:
                Membership.objects.get_or_create(
                    user=user,
                    defaults={"organization": self.organization, "role": bank_roles[username]},
                )
        wagtail_access = Group.objects.filter(name="Editors").first()
        if wagtail_access is not None:
            wagtail_access.permissions.add(Permission.objects.get(codename="access_admin"))
        self.log("Users: " + ", ".join(a[0] for a in accounts))

    def seed_settings(self) -> None:
        settings_obj = PortalSettings.load()
        if not settings_obj.trust_center_url:
            settings_obj.trust_center_url = "https://example.com/trust-center"
            settings_obj.save()
        seed_brand(log=self.log)

    # Plugins ---------------------------------------------------------------------------------

    def seed_plugins(self) -> None:
        """Demo content of the built-in plugins that are installed (the core never imports them;
        each plugin's demo module is looked up by name)."""
        for plugin in registry.installed_plugins():
            try:
                demo = import_module(f"{plugin.name}.demo")
            except ModuleNotFoundError:
                continue
            demo.seed(log=self.log)

    # Translations ----------------------------------------------------------------------------

    def seed_translations(self) -> None:
        # After the plugins: the demo NDA is translated too.
        translate_demo(self.locale, log=self.log)
