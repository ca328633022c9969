"""Who is calling: the `Principal` a verified token stands for, built by a configured claim mapping.

Providers put roles and units in different places (Keycloak: `realm_access.roles` or
`resource_access.<client>.roles`; a provider of the province's own: `pakn_roles`), and name roles
their own way. Where they are and what they are called is configuration (`identity.role_claim`,
`identity.role_map`, `identity.unit_claim`, `identity.channel_claim`, `identity.client_claims`),
never code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from runtime.identity.roles import UNIT_BOUND, Role

# The channels of Đ5, as pakn.common.v1.Channel names them (lower case, without the prefix).
CHANNELS = frozenset({"mobile_app", "facebook", "zalo", "email", "web_portal", "public_service_portal", "hotline"})


# The longest subject accepted: it is recorded as who acted, in columns of runtime/limits.py OPERATOR.
SUBJECT_MAX = 120


class ClaimError(ValueError):
    """The token's claims do not make a valid principal (the message names the claim, never its value)."""


@dataclass(frozen=True)
class Principal:
    subject: str
    issuer: str
    roles: frozenset[Role]
    unit_id: str | None = None
    client_id: str | None = None
    channel: str | None = None
    token_id: str | None = None
    expires_at: datetime | None = None
    scopes: frozenset[str] = frozenset()
    # How the caller was authenticated: "bearer" (a verified token), "anonymous"; later also "mtls".
    method: str = "bearer"

    def has(self, *roles: Role) -> bool:
        """Whether the principal holds any of `roles`."""
        return not self.roles.isdisjoint(roles)

    @property
    def anonymous(self) -> bool:
        return self.method == "anonymous"

    def __repr__(self) -> str:  # ids only: a principal may be logged
        roles = ",".join(sorted(self.roles))
        return (f"Principal(subject={self.subject!r}, issuer={self.issuer!r}, roles={roles}, "
                f"unit={self.unit_id!r}, client={self.client_id!r}, method={self.method})")


# A caller without a token: a citizen (docs/identity.md).
ANONYMOUS = Principal(subject="", issuer="", roles=frozenset({Role.CITIZEN}), method="anonymous")


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ("realm_access.roles"); a claim whose own name has dots wins."""
    if path in claims:
        return claims[path]
    node: Any = claims
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _names(value: Any, what: str) -> list[str]:
    """A list of strings, or one string of names separated by spaces or commas."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ClaimError(f"{what} is neither a string nor a list of strings")


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """ "a=b, c=d" as {"a": "b", "c": "d"} (a key's value is everything after its first "=")."""
    pairs: dict[str, str] = {}
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what}: expected name=value, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def split_list(text: str) -> list[str]:
    return [i.strip() for i in text.split(",") if i.strip()]


@dataclass(frozen=True)
class ClaimMapping:
    role_claim: str = "pakn_roles"
    # Provider role name -> platform role; a platform role's own name always maps to itself.
    role_map: Mapping[str, Role] = field(default_factory=dict)
    unit_claim: str = "pakn_unit"
    channel_claim: str = "pakn_channel"
    client_claims: tuple[str, ...] = ("client_id", "azp")

    @classmethod
    def from_config(cls, section) -> "ClaimMapping":
        """From the `identity` configuration section; ValueError names a bad setting."""
        role_map: dict[str, Role] = {}
        for provider_name, platform_name in parse_pairs(section.role_map, "identity.role_map").items():
            try:
                role_map[provider_name] = Role(platform_name)
            except ValueError:
                raise ValueError(f"identity.role_map: {platform_name!r} is not a platform role "
                                 f"({', '.join(Role)})") from None
        if not section.role_claim.strip():
            raise ValueError("identity.role_claim: a claim path is needed")
        return cls(role_claim=section.role_claim.strip(), role_map=role_map, unit_claim=section.unit_claim.strip(),
                   channel_claim=section.channel_claim.strip(), client_claims=tuple(split_list(section.client_claims)))

    def roles(self, claims: Mapping[str, Any]) -> frozenset[Role]:
        granted: set[Role] = set()
        for name in _names(claim(claims, self.role_claim), f"claim {self.role_claim!r}"):
            if name in self.role_map:
                granted.add(self.role_map[name])
            elif name in Role._value2member_map_:
                granted.add(Role(name))
            # Any other provider role (Keycloak's offline_access, default-roles-…) means nothing here.
        return frozenset(granted)

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """The principal of verified claims; ClaimError when they do not make one."""
        subject, issuer = claims.get("sub"), claims.get("iss")
        if not isinstance(subject, str) or not subject or not isinstance(issuer, str):
            raise ClaimError("claim 'sub' is missing or not a string")
        if len(subject) > SUBJECT_MAX or not subject.isprintable():
            # Recorded as who acted (runtime/limits.py OPERATOR): a longer id would not fit.
            raise ClaimError(f"claim 'sub' is longer than {SUBJECT_MAX} characters or not printable")
        roles = self.roles(claims)
        unit = _single(claims, self.unit_claim) if self.unit_claim else None
        if roles & UNIT_BOUND and unit is None:
            raise ClaimError(f"a unit role needs exactly one unit in claim {self.unit_claim!r}")
        channel = _single(claims, self.channel_claim) if self.channel_claim else None
        if channel is not None and channel not in CHANNELS:
            raise ClaimError(f"claim {self.channel_claim!r} names no channel of pakn.common.v1.Channel")
        client = next((v for v in (claim(claims, c) for c in self.client_claims) if isinstance(v, str) and v), None)
        token_id = claims.get("jti") if isinstance(claims.get("jti"), str) else None
        exp = claims.get("exp")
        expires = datetime.fromtimestamp(exp, tz=timezone.utc) if isinstance(exp, (int, float)) else None
        scopes = frozenset(_names(claims.get("scope"), "claim 'scope'"))
        return Principal(subject=subject, issuer=issuer, roles=roles, unit_id=unit, client_id=client,
                         channel=channel, token_id=token_id, expires_at=expires, scopes=scopes)


def _single(claims: Mapping[str, Any], path: str) -> str | None:
    """One string id (a list of exactly one is accepted: some providers only emit lists)."""
    value = claim(claims, path)
    if value is None:
        return None
    if isinstance(value, list):
        if len(value) != 1:
            raise ClaimError(f"claim {path!r} must name exactly one value")
        value = value[0]
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ClaimError(f"claim {path!r} is not a string")
    return value.strip()
