"""Bank reconciliation tests' world: statement files as three kinds of Mexican bank export them, and the
shop's money the lines are matched to (transfers the treasurer confirmed, SPEI payouts paid), made through the
real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from factories import make_order, make_product, make_user, make_weaver, place, sale_for
from sqlalchemy import select

from shop.accounts.models import Role, User
from shop.clock import to_local, utcnow
from shop.ledger import bank_statements, paying, payout_accounts, payout_batches
from shop.ledger.models import AmountStyle, BankLine, DateFormat, Delimiter, Payout, PayoutMethod
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.sales import post_sale
from shop.ledger.schemas import ColumnMapping
from shop.orders.shipping import quote
from shop.payments.models import Payment
from shop.payments.offline import confirm_offline_payment
from shop.payments.service import open_payment, payment_of

VALID_CLABE = "012180000000000002"

# BBVA-like: Windows-1252 (accents as Excel in Spanish saves them), DD/MM/YYYY, separate Cargo and Abono
# columns, thousands separators, a balance column nothing reads.
BBVA = (
    "Día,Concepto / Referencia,Cargo,Abono,Saldo\r\n"
    '03/11/2026,"SPEI RECIBIDO BANORTE REF 7788123 JJ-000123",,"1,850.00","12,350.00"\r\n'
    '04/11/2026,COMISIÓN MANEJO DE CUENTA,150.00,,"12,200.00"\r\n'
    '05/11/2026,"SPEI ENVIADO MARÍA PÉREZ CLAVE MBAN01002611050012345","5,200.00",,"7,000.00"\r\n'
).encode("cp1252")

# Banorte-like: UTF-8 with a BOM, a few lines about the account before the column names, one signed amount.
BANORTE = (
    "\ufeffBanco Mercantil del Norte\n"
    "Cuenta:,0123456789\n"
    "Periodo:,01/11/2026 al 30/11/2026\n"
    "\n"
    "Fecha,Referencia,Descripción,Importe,Saldo\n"
    '03/11/2026,7788123,DEPOSITO SPEI JJ-000123,"1,850.00","12,350.00"\n'
    '05/11/2026,MBAN01002611050012345,SPEI ENVIADO,"-5,200.00","7,150.00"\n'
    "\n"
).encode()

# Santander-like: semicolons, decimal commas with point thousands, month names, a withdrawal in parentheses.
SANTANDER = (
    b"Fecha;Concepto;Importe;Saldo\n"
    b"03/NOV/2026;ABONO TRANSFERENCIA JJ-000123;1.850,00;12.350,00\n"
    b"06-dic-2026;COMISION;(150,00);12.200,00\n"
)


def rows(*lines: str, header: str = "Fecha,Descripción,Referencia,Importe") -> bytes:
    """A small signed-amount file in UTF-8: ``lines`` are its data rows."""
    return "\n".join([header, *lines]).encode() + b"\n"


def transfer(session, amount: int, *, reference: str = "", days_ago: int = 0) -> Payment:
    """A buyer's order of one piece, ``amount`` centavos with shipping, paid by bank transfer and confirmed by the
    treasurer ``days_ago`` days ago; its money sits in "Offline payments to reconcile". Flushed, not committed."""
    shipping = quote(session, "MX", 500).amount
    product = make_product(session, price_amount=amount - shipping, weight_g=500)
    order = place(session, [(product, 1)])
    assert order.amount_due_now == amount
    open_payment(session, order, now=utcnow())
    when = utcnow() - timedelta(days=days_ago)
    confirm_offline_payment(session, order, actor="Teresa", reference=reference, now=when, base_url="http://test")
    return payment_of(session, order)


def spei_payout(session, amount: int, *, tracking_key: str, days_ago: int = 0) -> Payout:
    """A weaver owed ``amount`` (a cash sale) and paid exactly that by SPEI ``days_ago`` days ago, through a batch
    a treasurer prepared and a council member approved. Flushed, not committed."""
    weaver = make_weaver(session)
    order, (line,) = make_order(session, [(amount, 10_000, [(weaver, 10_000)])])
    post_sale(session, sale_for(session, order, [line], money="cash"))
    treasurer, council = _payout_people(session)
    payout_accounts.set_payout_account(
        session, weaver.id, method=PayoutMethod.spei, clabe=VALID_CLABE, by=treasurer, now=utcnow()
    )
    when = utcnow() - timedelta(days=days_ago)
    hold = timedelta(days=0)
    batch = payout_batches.prepare_batch(
        session, lines=[PayoutLine(weaver.id, amount)], by=treasurer, now=when, hold=hold
    )
    payout_batches.approve_batch(session, batch.id, by=council, now=when)
    payout_id = payout_batches.batch_by_id(session, batch.id).payouts[0].id
    return paying.pay_by_spei(session, payout_id, tracking_key=tracking_key, by=treasurer, now=when, hold=hold)


def _payout_people(session) -> tuple[User, User]:
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(["pagos", "aprueba"])))}
    if "pagos" not in found:
        found["pagos"] = make_user(session, roles=[Role.treasurer], username="pagos", name="Paula Pagos")
        found["aprueba"] = make_user(session, roles=[Role.council], username="aprueba", name="Aurora Aprueba")
    return found["pagos"], found["aprueba"]


SIGNED = ColumnMapping(
    header_row=1,
    delimiter=Delimiter.comma,
    date_column="Fecha",
    date_format=DateFormat.dmy,
    description_column="Descripción",
    reference_column="Referencia",
    amount_style=AmountStyle.signed,
    amount_column="Importe",
)


def day(days_ago: int = 0) -> str:
    """A Mexico City date ``days_ago`` days back, written as the banks write it (DD/MM/YYYY)."""
    return (to_local(utcnow()) - timedelta(days=days_ago)).strftime("%d/%m/%Y")


def bank_lines(session, user, *movements: tuple[int, str, str, int], bank: str = "Banorte") -> list[BankLine]:
    """Import a statement of ``movements`` (days ago, description, reference, centavos: negative for money out)
    through the real upload and import; returns its new lines in file order."""
    data = rows(
        *(f"{day(ago)},{text},{reference},{Decimal(amount).scaleb(-2)}" for ago, text, reference, amount in movements)
    )
    statement = bank_statements.upload(session, bank_name=bank, filename="estado.csv", data=data, by=user, now=utcnow())
    bank_statements.import_statement(session, statement.id, SIGNED, by=user, now=utcnow())
    return list(
        session.scalars(select(BankLine).where(BankLine.statement_id == statement.id).order_by(BankLine.row_number))
    )
