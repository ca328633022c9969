"""The authorisation policy: for every RPC, which roles may call it and which scope rule applies.

This table is the one place that says who may do what (docs/security.md is generated from it and
checked fresh by the tests). The gRPC server's identity interceptor enforces the roles before any
validation or I/O: no credentials where some are needed → UNAUTHENTICATED; a role not listed →
PERMISSION_DENIED. The scope is enforced by the use case on the object itself
(runtime/identity/scope.py), because only it knows the object's unit or case:

- `public`: anyone, a citizen without a token included; only what is public comes back (published
  answers, public copies, the calendar).
- `any`: any listed role; no object scope beyond the role.
- `own_channel`: a channel's service account acts only as its own channel (the Zalo bot cannot
  submit as the hotline).
- `own_case`: the citizen who wrote in, proved by the case's tracking code and the phone or e-mail
  given (Đ6.3); channel front-ends ask on the citizen's behalf with the same proof.
- `own_unit`: unit officers, leaders and unit systems see and act only on their own unit's
  assignments and work items (Đ2.5–2.6, Đ16.5); a leader approves only their unit's results (Đ9.3b);
  lists are filtered to the unit. Coordinators, where listed, see every unit's.
- `coordinating_unit`: the coordinating unit's officers only (Đ2.4, Đ7.3).
- `administration`: the system's administrator only (Đ13.3).

Roles come from runtime/identity/roles.py. Health and reflection are open to every caller (probes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from runtime.identity.roles import Role

R = Role


class Scope(StrEnum):
    PUBLIC = "public"
    ANY = "any"
    OWN_CHANNEL = "own_channel"
    OWN_CASE = "own_case"
    OWN_UNIT = "own_unit"
    COORDINATING_UNIT = "coordinating_unit"
    ADMINISTRATION = "administration"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    scope: Scope
    # Why, in the regulation's terms (shown in docs/security.md).
    why: str
    # Whether the call changes state (its success is audited as a change, not only a read).
    mutates: bool = False


EVERYONE = frozenset(Role)
STAFF = frozenset({R.COORDINATOR, R.UNIT_OFFICER, R.UNIT_LEADER, R.UNIT_SYSTEM, R.ADMINISTRATOR,
                   R.REPORT_READER, R.DISCLOSURE_OFFICER})
UNIT = frozenset({R.UNIT_OFFICER, R.UNIT_LEADER, R.UNIT_SYSTEM})
READERS = frozenset({R.REPORT_READER, R.COORDINATOR, R.ADMINISTRATOR})


def rule(roles, scope: Scope, why: str, mutates: bool = False) -> Rule:
    return Rule(frozenset(roles), scope, why, mutates)


_INTAKE = "/pakn.intake.v1.IntakeService/"
_ROUTING = "/pakn.routing.v1.RoutingService/"
_CALENDAR = "/pakn.routing.v1.CalendarService/"
_PROCESSING = "/pakn.processing.v1.ProcessingService/"
_PUBLICATION = "/pakn.publication.v1.PublicationService/"
_NOTIFICATION = "/pakn.notification.v1.NotificationService/"
_REPORTING = "/pakn.reporting.v1.ReportingService/"
_AUDIT = "/pakn.audit.v1.AuditService/"

POLICY: dict[str, Rule] = {
    # Intake (Đ5–Đ6) ----------------------------------------------------------------------------
    _INTAKE + "SubmitCase": rule({R.CHANNEL}, Scope.OWN_CHANNEL,
                                 "Đ5: citizens write in through a channel; each channel's account submits as itself",
                                 mutates=True),
    _INTAKE + "UploadMedia": rule({R.CHANNEL}, Scope.OWN_CHANNEL,
                                  "Đ6.2: images and video come in with a submission, through its channel",
                                  mutates=True),
    _INTAKE + "DownloadMedia": rule({R.COORDINATOR, *UNIT}, Scope.OWN_UNIT,
                                    "Đ16.6: originals only to staff whose work the case is; the public copy is "
                                    "GetPublicEvidence's"),
    _INTAKE + "GetCaseStatus": rule({R.CITIZEN, R.CHANNEL, R.COORDINATOR}, Scope.OWN_CASE,
                                    "Đ12.2: the submitter follows their case with its tracking code and contact"),
    _INTAKE + "DiscloseSubmitter": rule({R.DISCLOSURE_OFFICER}, Scope.ANY,
                                        "Đ13.8, Đ16.6: only the designated officer discloses, for a body and a "
                                        "reason; a confidential case (Đ6.4) only on a second officer's approval",
                                        mutates=True),
    _INTAKE + "ApproveDisclosure": rule({R.DISCLOSURE_OFFICER}, Scope.ANY,
                                        "Đ6.4, Đ13.8: a second disclosure officer, not the one who asked, approves",
                                        mutates=True),
    _INTAKE + "RefuseDisclosure": rule({R.DISCLOSURE_OFFICER}, Scope.ANY,
                                       "Đ6.4, Đ13.8: a second disclosure officer refuses, with a reason",
                                       mutates=True),
    _INTAKE + "ListDisclosures": rule({R.DISCLOSURE_OFFICER, R.AUDITOR}, Scope.ANY,
                                      "Đ13.8, Đ16.6: every disclosure accounted for, to the officers and the "
                                      "auditor (never the contact)"),
    # Routing: the coordinating unit's work (Đ7) --------------------------------------------------
    _ROUTING + "ListInbox": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT, "Đ7: cases to verify and route"),
    _ROUTING + "GetCase": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT, "Đ7: a case as the coordinator sees it"),
    _ROUTING + "VerifyCase": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                  "Đ7.3a: verification against Đ6", mutates=True),
    _ROUTING + "CancelCase": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT, "Đ7.3a, Đ6.5: cancelled with a reason",
                                  mutates=True),
    _ROUTING + "SendBackForVerification": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                               "Đ7.3c: back to verification", mutates=True),
    _ROUTING + "ClassifyCase": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT, "Đ7.3b: classification",
                                    mutates=True),
    _ROUTING + "DistributeCase": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT, "Đ7.3c: distribution to units",
                                      mutates=True),
    _ROUTING + "MarkAwaitingUnit": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                        "Đ7.3c: no unit fits yet", mutates=True),
    # Routing: the unit's side of an assignment (Đ8) -------------------------------------------
    _ROUTING + "AcceptAssignment": rule(UNIT, Scope.OWN_UNIT,
                                        "Đ8.2a: the unit accepts its own assignment and sets its time",
                                        mutates=True),
    _ROUTING + "ReturnAssignment": rule(UNIT, Scope.OWN_UNIT, "Đ8.2b: the unit returns what is not its remit",
                                        mutates=True),
    _ROUTING + "ListAssignments": rule({R.COORDINATOR, *UNIT, R.REPORT_READER}, Scope.OWN_UNIT,
                                       "Đ8: a unit sees its own assignments; the coordinator and the report "
                                       "readers see all"),
    _ROUTING + "ListCategories": rule(STAFF, Scope.ANY, "Đ7.3b: the classification's categories"),
    _ROUTING + "ListUnits": rule(STAFF, Scope.ANY, "Đ13.3: the unit directory"),
    _ROUTING + "RegisterUnit": rule({R.ADMINISTRATOR}, Scope.ADMINISTRATION, "Đ13.3, Đ16.1: units and their accounts",
                                    mutates=True),
    _ROUTING + "UpdateUnitContacts": rule({R.ADMINISTRATOR, R.UNIT_LEADER}, Scope.OWN_UNIT,
                                          "Đ16.1: a unit reports changes of its leader and contact person; the "
                                          "administrator keeps the directory (Đ13.3)", mutates=True),
    _ROUTING + "GetUnitHistory": rule({R.ADMINISTRATOR}, Scope.ADMINISTRATION,
                                      "Đ13.3, Đ16.1: who changed a unit's entry, and what it held before"),
    # The calendar (Đ8.2a): public to read, the administrator's to change --------------------
    _CALENDAR + "GetDay": rule(EVERYONE, Scope.PUBLIC, "Đ8.2a: working days are public"),
    _CALENDAR + "ComputeDeadline": rule(EVERYONE, Scope.PUBLIC, "Đ8.2a: deadlines are public"),
    _CALENDAR + "ListDayRules": rule(EVERYONE, Scope.PUBLIC, "Đ8.2a: the calendar's rules are public"),
    _CALENDAR + "ListPauses": rule(EVERYONE, Scope.PUBLIC, "Đ8.2a: force-majeure pauses are public"),
    _CALENDAR + "RecordDay": rule({R.ADMINISTRATOR}, Scope.ADMINISTRATION, "Đ8.2a: the official calendar's days",
                                  mutates=True),
    _CALENDAR + "DeclarePause": rule({R.ADMINISTRATOR}, Scope.ADMINISTRATION, "Đ8.2a: force majeure", mutates=True),
    _CALENDAR + "EndPause": rule({R.ADMINISTRATOR}, Scope.ADMINISTRATION, "Đ8.2a: force majeure", mutates=True),
    # Processing: the unit's handling and the leader's approval (Đ8–Đ9) ------------------------
    _PROCESSING + "ListWorkItems": rule({R.COORDINATOR, *UNIT}, Scope.OWN_UNIT,
                                        "Đ8: a unit's work; the coordinator follows every unit's"),
    _PROCESSING + "GetWorkItem": rule({R.COORDINATOR, *UNIT}, Scope.OWN_UNIT, "Đ8: one item of a unit's work"),
    _PROCESSING + "AssignHandler": rule({R.UNIT_LEADER}, Scope.OWN_UNIT, "Đ2.6, Đ8.3: the leader names the handler",
                                        mutates=True),
    _PROCESSING + "UploadEvidence": rule(UNIT, Scope.OWN_UNIT, "Đ8.3: the handler's evidence", mutates=True),
    _PROCESSING + "SubmitResult": rule(UNIT, Scope.OWN_UNIT, "Đ8.3: the handler's result", mutates=True),
    _PROCESSING + "RequestExtension": rule(UNIT, Scope.OWN_UNIT, "Đ8.2a: a longer time, with a reason",
                                           mutates=True),
    _PROCESSING + "ApproveResult": rule({R.UNIT_LEADER}, Scope.OWN_UNIT, "Đ9.3b: the unit's leader approves",
                                        mutates=True),
    _PROCESSING + "ReturnToHandler": rule({R.UNIT_LEADER}, Scope.OWN_UNIT, "Đ9.3a: the leader sends it back",
                                          mutates=True),
    _PROCESSING + "EditAndApproveResult": rule({R.UNIT_LEADER}, Scope.OWN_UNIT, "Đ9.3a: the leader edits and approves",
                                               mutates=True),
    _PROCESSING + "GetPublicEvidence": rule(EVERYONE, Scope.PUBLIC, "Đ12.2: the public copy of published evidence"),
    # Publication (Đ10, Đ11) ---------------------------------------------------------------------
    _PUBLICATION + "ListReviewQueue": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                           "Đ10.3a: answers to check and publish"),
    _PUBLICATION + "GetReview": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                     "Đ10.3a: one answer to check and publish"),
    _PUBLICATION + "PublishResult": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT, "Đ10: publication",
                                         mutates=True),
    _PUBLICATION + "DeliverPrivately": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                            "Đ10.3b: answered to the submitter alone", mutates=True),
    _PUBLICATION + "RestrictCase": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                        "Đ10.3c: state secrets are not published", mutates=True),
    _PUBLICATION + "RequestRework": rule({R.COORDINATOR}, Scope.COORDINATING_UNIT,
                                         "Đ10.4a: back to the unit", mutates=True),
    _PUBLICATION + "GetPublishedAnswer": rule(EVERYONE, Scope.PUBLIC, "Đ3.2: published answers are public"),
    _PUBLICATION + "GetPublicTimeline": rule(EVERYONE, Scope.PUBLIC, "Đ12.2: a published case's public timeline"),
    _PUBLICATION + "SearchAnswers": rule(EVERYONE, Scope.PUBLIC, "Đ3.2: published answers are public"),
    _PUBLICATION + "GetSubmitterAnswer": rule({R.CITIZEN, R.CHANNEL}, Scope.OWN_CASE,
                                              "Đ10.3b: the submitter reads their own answer"),
    _PUBLICATION + "ReplyToAnswer": rule({R.CITIZEN, R.CHANNEL}, Scope.OWN_CASE, "Đ11.1: the submitter replies",
                                         mutates=True),
    _PUBLICATION + "RateCase": rule({R.CITIZEN, R.CHANNEL}, Scope.OWN_CASE, "Đ11.3: the submitter rates",
                                    mutates=True),
    # Notification ------------------------------------------------------------------------------
    _NOTIFICATION + "ListDeliveries": rule({R.COORDINATOR, R.ADMINISTRATOR}, Scope.ANY,
                                           "Đ2.7: what was sent to whom (masked)"),
    _NOTIFICATION + "ResendDelivery": rule({R.COORDINATOR, R.ADMINISTRATOR}, Scope.ANY,
                                           "Đ2.7: a failed notice sent again", mutates=True),
    _NOTIFICATION + "ListTemplates": rule({R.COORDINATOR, R.ADMINISTRATOR}, Scope.ANY, "Đ2.7: the notices' texts"),
    # Reporting (Đ13.7, Đ14) --------------------------------------------------------------------
    _REPORTING + "GetSummary": rule(READERS, Scope.ANY, "Đ13.7: the province's figures"),
    _REPORTING + "ListOverdue": rule(READERS, Scope.ANY, "Đ13.7: every breach of a deadline"),
    _REPORTING + "GetUnitScorecards": rule(READERS, Scope.ANY, "Đ14: the figures that rank units"),
    _REPORTING + "ExportReport": rule(READERS, Scope.ANY, "Đ13.7: the official report"),
    _REPORTING + "GetReportPeriod": rule(EVERYONE, Scope.PUBLIC, "Đ13.7: the reporting periods are public"),
    # The audit trail (docs/audit.md), hosted by every service's server -------------------------
    _AUDIT + "ListCaseTrail": rule({R.AUDITOR}, Scope.ANY,
                                   "Đ12.1, Đ13.1, Đ13.8: who acted on a case, for the bodies that check"),
}

# Open to every caller, authenticated or not: probes and tooling.
OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/",
                 "/grpc.reflection.v1.ServerReflection/")


def rule_for(method: str) -> Rule | None:
    """The rule of a full method name; None for a method the policy does not know (refused)."""
    return POLICY.get(method)


def is_open(method: str) -> bool:
    return method.startswith(OPEN_SERVICES)
