"""The platform's roles: who may call the platform, in the regulation's terms.

Every role an identity provider grants is mapped onto one of these names (`identity.role_map`,
docs/identity.md); the policy that says which role may call which RPC comes later and names only
these.

- `citizen`: a person or organisation that writes in. Anonymous: a citizen carries no token;
  owning a case is proved by its tracking code and the submitter's contact, not by an account.
- `channel`: one service account per channel of Đ5 (the mobile app, the Facebook and Zalo bots,
  the e-mail gateway, the web portal, the public-service portal, the hotline desk); it submits on
  behalf of citizens. Its token names the channel (`identity.channel_claim`).
- `coordinator`: staff of the coordinating unit (Đ2.4) who verify, classify and distribute (Đ7).
- `unit_officer`: a handler (nhân sự xử lý, Đ2.6) of one processing unit (Đ2.5).
- `unit_leader`: the leader of one processing unit who approves results (Đ9, Đ16.1).
- `unit_system`: a unit's own PAKN software exchanging data with the platform (Đ16.5).
- `administrator`: the operator of the system (Sở TT&TT): accounts of agencies and units (Đ13.3).
- `report_reader`: reads the reports (Đ13.7) and the per-unit figures used to score units (Đ14).
- `disclosure_officer`: records the controlled disclosure of a submitter's contact (Đ13.8).
- `auditor`: reads the audit trail (who did what, when, from where; docs/audit.md): the
  province's Inspectorate (Thanh tra tỉnh) or the Department of I&C's information-security staff,
  to whom the records are "available to state bodies on request" (Đ12.1) and who check the
  system's security (Đ13.1) and its disclosures (Đ13.8). The regulation names no such role; this
  one stands for those bodies and reads nothing but the trail.

Ids follow the regulation's text: Điều 2 khoản 4–6 define the coordinating unit, the processing
unit and the handler.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    CHANNEL = "channel"
    COORDINATOR = "coordinator"
    UNIT_OFFICER = "unit_officer"
    UNIT_LEADER = "unit_leader"
    UNIT_SYSTEM = "unit_system"
    ADMINISTRATOR = "administrator"
    REPORT_READER = "report_reader"
    DISCLOSURE_OFFICER = "disclosure_officer"
    AUDITOR = "auditor"


# Roles that act for one processing unit: a token granting one of them must name exactly one unit.
UNIT_BOUND = frozenset({Role.UNIT_OFFICER, Role.UNIT_LEADER, Role.UNIT_SYSTEM})
