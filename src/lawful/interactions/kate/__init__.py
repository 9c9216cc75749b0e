"""The virtual assistant: intents, grounded answers, and the dialogue that records itself."""
