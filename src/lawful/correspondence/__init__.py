"""Business correspondence (activity 4): letters, faxes and e-mails, their analysis and answers."""
