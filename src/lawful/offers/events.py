"""The ledger's names for what the offers domain does."""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    SEGMENT_COMPUTE = "offers.segment.compute"
    OFFER_CHOOSE = "offers.offer.choose"
    OFFER_LIST = "offers.offer.list"
    OFFER_ACCEPT = "offers.offer.accept"
    OFFER_DECLINE = "offers.offer.decline"
    PARTNER_REFERRAL = "offers.partner_referral.disclose"
    DATA_EXPORT = "offers.offer_data.export"
