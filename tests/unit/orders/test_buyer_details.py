import pytest
from factories import BUYER

from shop.orders.schemas import BuyerDetails, countries

GOOD = BUYER


def fields(**changes) -> set[str]:
    return {problem.field for problem in BuyerDetails(**{**GOOD, **changes}).problems()}


def test_a_complete_mexican_address_passes():
    assert BuyerDetails(**GOOD).problems() == []


@pytest.mark.parametrize(
    ("country", "postal_code", "region", "ok"),
    [
        ("MX", "29200", "Chiapas", True),
        ("MX", "2920", "Chiapas", False),
        ("MX", "29200", "", False),
        ("US", "94103", "CA", True),
        ("US", "94103-1234", "CA", True),
        ("US", "9410", "CA", False),
        ("CA", "K1A 0B1", "ON", True),
        ("CA", "k1a0b1", "ON", True),
        ("CA", "K1A-0B1", "ON", False),
        ("DE", "10115", "", True),
        ("DE", "", "", True),
        ("DE", "<script>", "", False),
    ],
)
def test_postal_codes_and_regions_follow_each_country(country, postal_code, region, ok):
    problems = fields(country=country, postal_code=postal_code, region=region)
    assert (problems == set()) is ok, problems


def test_every_missing_or_bad_field_is_named():
    details = BuyerDetails(email="ana@", name="", phone="12", address_line1="", city="", postal_code="x", country="MX")
    assert {p.field for p in details.problems()} == {
        "email",
        "name",
        "phone",
        "address_line1",
        "city",
        "region",
        "postal_code",
    }


def test_unknown_country_is_refused():
    assert fields(country="XX") == {"country"}


def test_normalized_formats_canadian_codes_and_emails():
    details = BuyerDetails(
        **{**GOOD, "country": "CA", "region": "ON", "postal_code": "k1a0b1", "email": "Ana@EXAMPLE.org"}
    )
    normal = details.normalized()
    assert normal.postal_code == "K1A 0B1"
    assert normal.email == "Ana@example.org"


def test_country_list_starts_with_north_america_in_the_buyers_language():
    spanish = countries("es")
    assert [code for code, _ in spanish[:3]] == ["MX", "US", "CA"]
    assert dict(spanish)["DE"] == "Alemania"
    assert dict(countries("en"))["DE"] == "Germany"
    assert "EU" not in dict(spanish)
