"""Understanding what was said (a transcript in, an intent out) and the dialog outside sessions."""
