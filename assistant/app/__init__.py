"""The application: command line, wiring, the one conversation core and its front ends
(voice loop, typed mode, `ask`, data commands). Nothing else imports this package."""
