"""The registry's rules for a source (the proposals that apply them: tests/contributions/test_proposals.py)."""

from sources import services
from sources.models import Source


def test_default_priority_order_is_national_then_subnational_then_international_then_aggregator():
    order = [
        services.default_priority(Source.InstitutionType.MINISTRY),
        services.default_priority(Source.InstitutionType.SUBNATIONAL),
        services.default_priority(Source.InstitutionType.INTERNATIONAL),
        services.default_priority(Source.InstitutionType.AGGREGATOR),
    ]
    assert order == sorted(order, reverse=True)
    assert len(set(order)) == 4
