"""What reports read for a scope: the register, the weekly totals, behaviour records and the school calendar."""
