"""French company identifiers: SIREN (9 digits) and SIRET (14 digits, SIREN + NIC).

Both carry a Luhn check digit, except the establishments of La Poste: its SIREN
356 000 000 passes Luhn, but its thousands of SIRETs were numbered past what Luhn allows,
and INSEE checks them by the sum of their digits, a multiple of 5.
"""

LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise(value: str) -> str:
    """Spaces, dots and non-breaking spaces taken out ("356 000 000 00048")."""
    return "".join(value.split()).replace(".", "").replace("\u00a0", "")


def well_formed(value: str) -> bool:
    """Nine or fourteen ASCII digits (already normalised), whatever the check digit."""
    return value.isascii() and value.isdigit() and len(value) in (9, 14)


def is_valid(value: str) -> bool:
    """A well-formed SIREN or SIRET (already normalised) with its check digit."""
    if not well_formed(value):
        return False
    if len(value) == 14 and value.startswith(LA_POSTE_SIREN):
        return sum(int(char) for char in value) % 5 == 0
    return luhn_ok(value)


def siren_of(value: str) -> str:
    return value[:9]
