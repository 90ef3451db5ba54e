"""Numbers in E.164 whatever way they come, and Twilio's parameters as an Inbound."""

import pytest

from bot.channels.twilio.sms import e164, inbound_of
from bot.conversation.service import Inbound
from tests.sms.conftest import Handset, inbound_params


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("+351912345678", "PT", "+351912345678"),
        ("+351 912 345 678", "PT", "+351912345678"),
        ("912 345 678", "PT", "+351912345678"),
        ("00393331234567", "PT", "+393331234567"),
        ("333 123 4567", "IT", "+393331234567"),
        ("+39 333-123-4567", "PT", "+393331234567"),
        ("12", "PT", None),
        ("not a number", "PT", None),
        ("", "PT", None),
    ],
)
def test_numbers_are_normalized_to_e164(number: str, region: str, expected: str | None) -> None:
    assert e164(number, region) == expected


def test_an_inbound_sms_becomes_a_text_inbound_keyed_by_its_message_sid() -> None:
    params = inbound_params("+351 912 345 678", "2", sid="SM" + "b" * 32)
    assert inbound_of(params, "PT") == Inbound("sms", "+351912345678", "SM" + "b" * 32, text="2")


def test_a_picture_without_text_becomes_a_media_inbound() -> None:
    params = {**inbound_params("+351912345678", ""), "NumMedia": "1",
              "MediaContentType0": "image/jpeg"}
    inbound = inbound_of(params, "PT")
    assert inbound is not None and inbound.media == "photo" and inbound.text is None


def test_a_message_without_a_usable_sender_is_not_an_inbound() -> None:
    assert inbound_of(inbound_params("SHORTCODE", "Olá"), "PT") is None
    assert inbound_of({**inbound_params("+351912345678", "Olá"), "MessageSid": "",
                       "SmsSid": ""}, "PT") is None


def test_a_national_number_reaches_the_same_identity_as_its_international_form(
    phone: Handset
) -> None:
    phone.text("Olá")
    national = Handset(phone.client, phone.twilio, phone.engine, "912 345 678")
    national.text("1")
    identity = phone.identity()
    assert identity.address == "+351912345678"
    assert phone.conversation().node != "language"  # "1" answered the first question
