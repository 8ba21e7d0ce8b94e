"""bekkenbodem-coach: an offline, Dutch, hands-free voice coach for pelvic-floor exercises."""

__version__ = "0.1.0"
