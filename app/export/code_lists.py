"""External code lists our vocabularies map to, as their owners publish them.

- The 14 Themenfelder of the OZG-Umsetzungskatalog (Onlinezugangsgesetz), with their
  official German names; the identifiers and English names are ours.
- The software categories of the publiccode.yml standard (docs/standard/
  categories-list.rst of publiccodeyml/publiccode.yml), as published.
- publiccode.yml `developmentStatus`.
- The phases of a civic innovation project: idea, concept, implementation, transfer.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    id: str
    de: str
    en: str


OZG_SOURCE = "https://www.digitale-verwaltung.de/Webs/DV/DE/onlinezugangsgesetz/"
OZG_THEMENFELDER = (
    Code("arbeit-ruhestand", "Arbeit & Ruhestand", "Work & retirement"),
    Code("bauen-wohnen", "Bauen & Wohnen", "Building & housing"),
    Code("bildung", "Bildung", "Education"),
    Code("ein-auswanderung", "Ein- & Auswanderung", "Immigration & emigration"),
    Code("engagement-hobby", "Engagement & Hobby", "Volunteering & hobbies"),
    Code("familie-kind", "Familie & Kind", "Family & children"),
    Code("forschung-foerderung", "Forschung & Förderung", "Research & funding"),
    Code("gesundheit", "Gesundheit", "Health"),
    Code("mobilitaet-reisen", "Mobilität & Reisen", "Mobility & travel"),
    Code("querschnittsleistungen", "Querschnittsleistungen", "Cross-cutting services"),
    Code("recht-ordnung", "Recht & Ordnung", "Law & order"),
    Code("steuern-zoll", "Steuern & Zoll", "Taxes & customs"),
    Code("umwelt", "Umwelt", "Environment"),
    Code(
        "unternehmensfuehrung-entwicklung",
        "Unternehmensführung & -entwicklung",
        "Running & developing a business",
    ),
)

PUBLICCODE_SOURCE = "https://yml.publiccode.tools/categories-list.html"
PUBLICCODE_CATEGORIES = (
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "application-development",
    "appointment-scheduling",
    "backup",
    "billing-and-invoicing",
    "blog",
    "budgeting",
    "business-intelligence",
    "business-process-management",
    "cad",
    "call-center-management",
    "cloud-management",
    "collaboration",
    "communications",
    "compliance-management",
    "contact-management",
    "content-management",
    "crm",
    "customer-service-and-support",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "design",
    "design-system",
    "digital-asset-management",
    "digital-citizenship",
    "document-management",
    "donor-management",
    "e-commerce",
    "e-signature",
    "educational-content",
    "email-management",
    "email-marketing",
    "employee-management",
    "enterprise-project-management",
    "enterprise-social-networking",
    "erp",
    "event-management",
    "facility-management",
    "feedback-and-reviews-management",
    "financial-reporting",
    "fleet-management",
    "fundraising",
    "gamification",
    "geographic-information-systems",
    "grant-management",
    "graphic-design",
    "help-desk",
    "hr",
    "ide",
    "identity-management",
    "instant-messaging",
    "integrated-library-system",
    "inventory-management",
    "it-asset-management",
    "it-development",
    "it-management",
    "it-security",
    "it-service-management",
    "knowledge-management",
    "learning-management-system",
    "marketing",
    "mind-mapping",
    "mobile-marketing",
    "mobile-payment",
    "network-management",
    "office",
    "online-booking",
    "online-community",
    "payment-gateway",
    "payroll",
    "predictive-analysis",
    "procurement",
    "productivity-suite",
    "project-collaboration",
    "project-management",
    "property-management",
    "real-estate-management",
    "regulations-and-directives",
    "remote-support",
    "resource-management",
    "sales-management",
    "seo",
    "service-desk",
    "social-media-management",
    "survey",
    "talent-management",
    "task-management",
    "taxes-management",
    "test-management",
    "time-management",
    "time-tracking",
    "translation",
    "video-conferencing",
    "video-editing",
    "visitor-management",
    "voip",
    "warehouse-management",
    "web-collaboration",
    "web-conferencing",
    "website-builder",
    "whistleblowing",
    "workflow-management",
    "other",
)

DEVELOPMENT_STATUS_SOURCE = "https://yml.publiccode.tools/schema.core.html#key-developmentstatus"
DEVELOPMENT_STATUSES = (
    Code("concept", "Konzept", "Concept"),
    Code("development", "Entwicklung", "Development"),
    Code("beta", "Beta", "Beta"),
    Code("stable", "Stabil", "Stable"),
    Code("obsolete", "Veraltet", "Obsolete"),
)

PHASES = (
    Code("idea", "Idee", "Idea"),
    Code("concept", "Konzept", "Concept"),
    Code("implementation", "Umsetzung", "Implementation"),
    Code("transfer", "Transfer", "Transfer"),
)

OZG_IDS = frozenset(code.id for code in OZG_THEMENFELDER)
PUBLICCODE_IDS = frozenset(PUBLICCODE_CATEGORIES)
DEVELOPMENT_STATUS_IDS = tuple(code.id for code in DEVELOPMENT_STATUSES)
PHASE_IDS = tuple(code.id for code in PHASES)
