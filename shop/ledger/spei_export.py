"""The bank-upload file for a batch's SPEI transfers.

Mexican banks' bulk-transfer screens each want their own layout, but all of them take these fields: the
destination CLABE, the beneficiary's name, the amount, a concept and a numeric reference. The CSV carries them
in the form every layout accepts (names in capitals without accents, concept up to 40 letters and digits, a
7-digit reference), so the treasurer can paste or map the columns into her bank's template.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from shop.ledger.clabe import bank_of
from shop.ledger.models import PayoutBatch, PayoutMethod, PayoutStatus
from shop.money import Money

HEADER = ("clabe", "banco", "beneficiario", "importe", "concepto", "referencia", "pago")
_NOT_ALLOWED = re.compile(r"[^A-Z0-9 ]+")


def bank_text(text: str, length: int) -> str:
    """Capitals, digits and spaces only: what every SPEI layout accepts (Ñ becomes N, accents are dropped)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").upper()
    return " ".join(_NOT_ALLOWED.sub(" ", plain).split())[:length]


def spei_rows(batch: PayoutBatch) -> list[tuple]:
    """The batch's SPEI payouts still to send (loaded with the batch)."""
    rows = []
    for payout in batch.payouts:
        if payout.method is not PayoutMethod.spei or payout.status is not PayoutStatus.pending:
            continue
        rows.append(
            (
                payout.clabe,
                bank_of(payout.clabe or "") or "",
                bank_text(payout.account_holder, 40),
                str(Money(payout.amount, payout.currency).as_decimal()),
                bank_text(f"Pago tejido lote {batch.id}", 40),
                f"{payout.id % 10_000_000:07d}",
                payout.id,
            )
        )
    return rows


def spei_csv(batch: PayoutBatch) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(spei_rows(batch))
    return buffer.getvalue()
