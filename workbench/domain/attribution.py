"""Who gets credit for an opportunity (seed 003: "one 'sourced' partner and multiple 'influencer'
partners on the same opportunity"; DESIGN §4: roles sourced, influenced, fulfillment, referral).

Rules for the attributions of ONE opportunity:

- at most one partner is the source (several attribution rows for that same partner are not
  allowed either: a partner has a role once);
- any number of partners may influence, fulfil or refer;
- one partner may hold several different roles (a reseller that sourced and fulfils the deal),
  except sourced together with influenced: the source already has full creation credit, and
  influenced credit on top would count the same partner twice in revenue and ROI.

Messages name partners by id: attributions are vendor data, so these errors reach vendor staff.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.domain.model import ATTRIBUTION_ROLES


class AttributionError(ValueError):
    """The attributions of one opportunity break a rule; the message says which and for whom."""


def check_attributions(roles: Iterable[tuple[str, str]]) -> None:
    """Raise AttributionError unless the (partner_id, role) pairs of one opportunity are valid."""
    seen: dict[str, set[str]] = {}
    for position, pair in enumerate(roles, 1):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise AttributionError(f"attribution {position} must be a (partner id, role) pair, "
                                   f"got {pair!r}")
        partner_id, role = pair
        if not isinstance(partner_id, str) or not partner_id.strip():
            raise AttributionError(f"attribution {position} has no partner id")
        if role not in ATTRIBUTION_ROLES:
            known = ", ".join(ATTRIBUTION_ROLES)
            raise AttributionError(f"attribution {position} (partner {partner_id}) has unknown "
                                   f"role {role!r}; known roles: {known}")
        partner_roles = seen.setdefault(partner_id, set())
        if role in partner_roles:
            raise AttributionError(f"partner {partner_id} is attributed as {role} twice on this "
                                   "opportunity")
        partner_roles.add(role)
    sources = [partner for partner, held in seen.items() if "sourced" in held]
    if len(sources) > 1:
        raise AttributionError(f"an opportunity has one sourced partner, but {len(sources)} are "
                               f"marked sourced: {', '.join(sources)}; mark the others influenced")
    for partner in sources:
        if "influenced" in seen[partner]:
            raise AttributionError(f"partner {partner} is both sourced and influenced on this "
                                   "opportunity; the source already has full credit")
