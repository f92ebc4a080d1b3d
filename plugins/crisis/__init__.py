"""Crisis escalation: a message saying someone is in danger reaches a human at once."""
