"""The words the certification screens show for stored values (translated when shown)."""

from __future__ import annotations

from shop.certification.claim import ClaimKind
from shop.certification.documents import DocumentKind
from shop.certification.models import ActionKind, AuditKind, CriterionType, PlanState, Severity
from shop.errors import N_

AUDIT_KINDS = {
    AuditKind.initial: N_("Initial audit"),
    AuditKind.surveillance: N_("Surveillance audit"),
    AuditKind.renewal: N_("Renewal audit"),
    AuditKind.unannounced: N_("Confirmation or unannounced audit"),
    AuditKind.monitoring: N_("Monitoring audit"),
    AuditKind.peer_visit: N_("Peer visit"),
    AuditKind.self_assessment: N_("Self-assessment"),
    AuditKind.internal_inspection: N_("Internal inspection"),
}
DOCUMENT_KINDS = {
    DocumentKind.certificate: N_("Certificate"),
    DocumentKind.licence: N_("Licence or contract"),
    DocumentKind.report: N_("Report"),
    DocumentKind.evidence: N_("Evidence"),
    DocumentKind.other: N_("Other document"),
}
CLAIM_KINDS = {
    ClaimKind.product: N_("The pieces are certified"),
    ClaimKind.organisation: N_("The cooperative is verified (not each piece)"),
}
ALERTS = {
    "expiry": N_("Certificate %(subject)s expires"),
    "audit": N_("Audit due for certificate %(subject)s"),
    "action": N_("Action late: %(subject)s"),
    "finding": N_("Non-conformity past its deadline: %(subject)s"),
}
CRITERION_TYPES = {
    CriterionType.core: N_("Core criterion"),
    CriterionType.major: N_("Major criterion"),
    CriterionType.development: N_("Development criterion"),
}
SEVERITIES = {
    Severity.observation: N_("Observation"),
    Severity.minor: N_("Minor"),
    Severity.major: N_("Major"),
    Severity.critical: N_("Critical"),
}
ACTION_KINDS = {
    ActionKind.immediate: N_("Immediate action"),
    ActionKind.corrective: N_("Corrective action"),
    ActionKind.preventive: N_("Preventive action"),
}
PLAN_STATES = {
    PlanState.planned: N_("Planned"),
    PlanState.in_progress: N_("In progress"),
    PlanState.done: N_("Done"),
    PlanState.dropped: N_("Dropped"),
}
