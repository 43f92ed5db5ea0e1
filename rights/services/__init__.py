"""Rights' services, a module per area: works and splits, split sheets, licences, statement
import, periods and payouts. Every write that spans rows is here."""
