"""Render deploy/nginx/nginx.conf.template into a prefix directory nginx runs from.

    python deploy/nginx/render.py --prefix var/nginx --upstream 127.0.0.1:8050 \\
        --upstream 127.0.0.1:8051 --listen 127.0.0.1:8443 --dev-certificate
    nginx -p var/nginx -c var/nginx/nginx.conf

The prefix gets nginx.conf, logs/, temp/ and (with --dev-certificate) a dev CA and a
certificate for localhost and 127.0.0.1 signed by it, generated here and never committed:
trust tls/ca.pem in a client. A deployment passes its own certificate instead.

A script of its own (standard library and `cryptography`, as the app already needs), not a
module of the platform: nginx's configuration is the operator's, and the tests load this file
by its path.
"""

from __future__ import annotations

import argparse
import datetime
import getpass
import ipaddress
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$")


@dataclass(frozen=True)
class Upstream:
    """One app server: `address` is host:port."""

    address: str
    max_fails: int = 1
    fail_timeout_seconds: int = 10


@dataclass(frozen=True)
class NginxSite:
    prefix: Path
    listen: str
    upstreams: tuple[Upstream, ...]
    certificate: Path
    certificate_key: Path
    server_name: str = "localhost"
    login_rate: str = "5r/s"
    login_burst: int = 10
    worker_user: str | None = None
    """The user nginx's workers run as when its master runs as root (a test run as root whose
    temporary prefix only root may enter); None: nginx's default."""


def render(site: NginxSite, template: str | None = None) -> str:
    """The configuration text for `site`; every placeholder must be filled."""
    for address in (site.listen, *(u.address for u in site.upstreams)):
        if not _ADDRESS.match(address):
            raise ValueError(f"not a host:port address: {address!r}")
    if not site.upstreams:
        raise ValueError("at least one upstream app server is needed")
    if not re.fullmatch(r"[0-9]+r/[sm]", site.login_rate):
        raise ValueError(f"not an nginx rate: {site.login_rate!r}")
    servers = "\n".join(
        f"        server {u.address} max_fails={u.max_fails} fail_timeout={u.fail_timeout_seconds}s;"
        for u in site.upstreams
    )
    values = {
        "USER_DIRECTIVE": f"user {site.worker_user};" if site.worker_user else "",
        "LISTEN": site.listen,
        "SERVER_NAME": site.server_name,
        "UPSTREAM_SERVERS": servers,
        "CERTIFICATE": str(site.certificate.resolve()),
        "CERTIFICATE_KEY": str(site.certificate_key.resolve()),
        "LOGIN_RATE": site.login_rate,
        "LOGIN_BURST": str(site.login_burst),
    }
    text = template if template is not None else TEMPLATE.read_text()
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise ValueError(f"the template has placeholders render() does not fill: {missing}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def write_site(site: NginxSite) -> Path:
    """Write nginx.conf into the prefix, with the logs/ and temp/ directories it names."""
    for folder in ("logs", "temp"):
        (site.prefix / folder).mkdir(parents=True, exist_ok=True)
    conf = site.prefix / "nginx.conf"
    conf.write_text(render(site))
    return conf


@dataclass(frozen=True)
class DevCertificate:
    ca: Path
    certificate: Path
    key: Path


def write_dev_certificate(
    folder: Path, names: tuple[str, ...] = ("localhost", "127.0.0.1")
) -> DevCertificate:
    """A throwaway CA and a server certificate for `names` signed by it (keys mode 0600).

    A CA rather than one self-signed certificate because clients (Python's ssl, browsers)
    refuse a self-signed leaf as its own trust anchor."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "investment-pools dev CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    out = DevCertificate(ca=folder / "ca.pem", certificate=folder / "server.pem", key=folder / "server.key")
    out.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out.certificate.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(out.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return out


def default_worker_user() -> str | None:
    """Root's workers would otherwise be `nobody`, who cannot enter a private prefix."""
    return getpass.getuser() if os.geteuid() == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prefix", type=Path, required=True, help="the directory nginx runs from (-p)")
    parser.add_argument("--listen", default="127.0.0.1:8443", help="host:port nginx listens on (TLS)")
    parser.add_argument("--upstream", action="append", required=True, help="an app server's host:port")
    parser.add_argument("--server-name", default="localhost")
    parser.add_argument("--dev-certificate", action="store_true", help="generate a dev CA and certificate")
    parser.add_argument("--certificate", type=Path, help="PEM certificate chain (without --dev-certificate)")
    parser.add_argument("--certificate-key", type=Path, help="its PEM private key")
    args = parser.parse_args(argv)
    if args.dev_certificate:
        made = write_dev_certificate(args.prefix / "tls")
        certificate, key = made.certificate, made.key
    elif args.certificate and args.certificate_key:
        certificate, key = args.certificate, args.certificate_key
    else:
        parser.error("give --dev-certificate, or --certificate and --certificate-key")
    site = NginxSite(
        prefix=args.prefix,
        listen=args.listen,
        upstreams=tuple(Upstream(address) for address in args.upstream),
        certificate=certificate,
        certificate_key=key,
        server_name=args.server_name,
        worker_user=default_worker_user(),
    )
    conf = write_site(site)
    print(f"wrote {conf}; run: nginx -p {args.prefix} -c {conf.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
