"""Print an account's open tickets and recent invoices (a stand-in for the real lookup)."""

import sys

TICKETS = {"acct-42": ["T-1234 billing: invoice shows a double charge"]}
INVOICES = {"acct-42": ["2026-10 $120.00", "2026-11 $240.00"]}


def main(account: str) -> None:
    for line in TICKETS.get(account, []) + INVOICES.get(account, []):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
