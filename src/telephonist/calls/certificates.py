"""The TLS certificate for SIP over TLS: an operator's own, or a self-signed one made on
first start (and kept in the data dir so phones that pinned it keep working)."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALIDITY = timedelta(days=3650)


def ensure_self_signed(certificate: Path, key: Path, host: str) -> None:
    """Write a self-signed certificate for ``host`` unless both files exist."""
    if certificate.exists() and key.exists():
        return
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    try:
        alternative: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alternative = x509.DNSName(host)
    now = datetime.now(UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([alternative]), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    certificate.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    certificate.write_bytes(built.public_bytes(serialization.Encoding.PEM))


def server_context(certificate: Path, key: Path) -> ssl.SSLContext:
    """A TLS server context for SIP (TLS 1.2 or newer)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificate, key)
    return context
