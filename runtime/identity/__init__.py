"""Identity: who is calling the platform (docs/identity.md).

Now: verification of OAuth 2.0 / OpenID Connect bearer tokens from trusted issuers
(`TokenVerifier`), the claim mapping that turns verified claims into a `Principal`, and the
platform's roles (`Role`). Not yet enforced on any RPC: the authorisation policy interceptor, the
embedded issuer and mTLS come later and build on these.
"""

from runtime.identity.principal import ANONYMOUS, ClaimMapping, Principal
from runtime.identity.roles import UNIT_BOUND, Role
from runtime.identity.tokens import Reason, TokenError, TokenVerifier, TrustedIssuer, VerifierSettings, bearer_token

__all__ = ["ANONYMOUS", "ClaimMapping", "Principal", "Reason", "Role", "TokenError", "TokenVerifier",
           "TrustedIssuer", "UNIT_BOUND", "VerifierSettings", "bearer_token"]
