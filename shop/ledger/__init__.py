"""Double-entry ledger: sales split between weavers and the fund, refunds, balances."""
